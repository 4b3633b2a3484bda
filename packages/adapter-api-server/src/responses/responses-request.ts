import { z } from 'zod';
import type { ApiServerChatMessage, ParsedChatRequest } from '../server/chat-request.js';

// Only what the server uses outlives the parse: tools, reasoning settings and vendor fields are dropped.

const contentPart = z.object({ type: z.string(), text: z.string().optional() });
const inputItem = z.object({
  type: z.string().optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']).optional(),
  content: z.union([z.string(), z.array(contentPart)]).optional(),
});

export const responsesRequestSchema = z.object({
  model: z.string().nullish(),
  input: z.union([z.string().min(1, 'input must not be empty'), z.array(inputItem).min(1)]),
  instructions: z.string().nullish(),
  previous_response_id: z.string().max(200).nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
});

/** A `POST /v1/responses` body, checked; the conversation is completed from the stored chain later. */
export interface ResponsesRequest {
  model: string | undefined;
  /** The new input as messages, oldest first. */
  input: ApiServerChatMessage[];
  instructions: string | undefined;
  previousResponseId: string | undefined;
  stream: boolean;
  store: boolean;
  /** Some input item was not text (images, files, function outputs): not forwarded. */
  droppedNonText: boolean;
}

export type ResponsesRequestResult =
  | { ok: true; request: ResponsesRequest }
  | { ok: false; message: string; param?: string };

const TEXT_PARTS = new Set(['input_text', 'output_text', 'text']);

function itemMessage(item: z.output<typeof inputItem>): { message?: ApiServerChatMessage; dropped: boolean } {
  if ((item.type !== undefined && item.type !== 'message') || item.role === undefined)
    return { dropped: true };
  if (typeof item.content === 'string')
    return { message: { role: item.role, content: item.content }, dropped: false };
  const parts = item.content ?? [];
  const texts = parts
    .filter((p) => TEXT_PARTS.has(p.type) && typeof p.text === 'string')
    .map((p) => p.text ?? '');
  return { message: { role: item.role, content: texts.join('\n') }, dropped: texts.length !== parts.length };
}

export function parseResponsesRequest(body: unknown): ResponsesRequestResult {
  const parsed = responsesRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue?.path.join('.') || undefined;
    const message = issue ? `${param ?? 'body'}: ${issue.message}` : 'invalid request body';
    return param === undefined ? { ok: false, message } : { ok: false, message, param };
  }
  const d = parsed.data;
  let droppedNonText = false;
  const input: ApiServerChatMessage[] = [];
  if (typeof d.input === 'string') input.push({ role: 'user', content: d.input });
  else
    for (const item of d.input) {
      const { message, dropped } = itemMessage(item);
      droppedNonText ||= dropped;
      if (message) input.push(message);
    }
  if (!input.some((m) => m.role === 'user'))
    return { ok: false, message: 'input must contain a user message', param: 'input' };
  return {
    ok: true,
    request: {
      model: d.model ?? undefined,
      input,
      instructions: d.instructions ?? undefined,
      previousResponseId: d.previous_response_id ?? undefined,
      stream: d.stream === true,
      store: d.store !== false,
      droppedNonText,
    },
  };
}

/**
 * The turn as the host takes it: the stored conversation of the chain, then the new input; its last user
 * message is the prompt. `instructions` apply to this response only (the API does not carry them over).
 */
export function chatRequestOf(
  request: ResponsesRequest,
  earlier: readonly ApiServerChatMessage[],
): ParsedChatRequest {
  const all = [...earlier, ...request.input];
  const last = all.findLastIndex((m) => m.role === 'user');
  const system = [
    ...(request.instructions ? [request.instructions] : []),
    ...request.input.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content),
  ];
  return {
    text: all[last]!.content,
    system,
    history: all.slice(0, last).filter((m) => m.role === 'user' || m.role === 'assistant'),
    model: request.model,
    stream: request.stream,
    includeUsage: true,
    options: {},
    droppedNonText: request.droppedNonText,
  };
}
