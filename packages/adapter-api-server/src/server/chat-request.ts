import { z } from 'zod';

const contentPartSchema = z.looseObject({ type: z.string(), text: z.string().optional() });

const messageSchema = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional(),
  name: z.string().optional(),
  tool_call_id: z.string().optional(),
  tool_calls: z.array(z.unknown()).optional(),
});

/** The fields we act on; every other field is kept and handed to the host untouched. */
export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(messageSchema).min(1, 'messages must contain at least one message'),
  stream: z.boolean().optional(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
});

type RequestMessage = z.output<typeof messageSchema>;

/** One message of the conversation the client sent, content flattened to text. */
export interface ApiServerChatMessage {
  role: RequestMessage['role'];
  content: string;
  name?: string;
  toolCallId?: string;
  toolCalls?: unknown[];
}

export interface ParsedChatRequest {
  /** The last user message: the prompt of this turn. */
  text: string;
  /** `system` and `developer` messages, which layer on top of the host's own prompt. */
  system: string[];
  /** Everything before the last user message except system text, oldest first. */
  history: ApiServerChatMessage[];
  model: string | undefined;
  stream: boolean;
  includeUsage: boolean;
  /** Request fields other than messages/model/stream (temperature, tools, ...), for the host. */
  options: Record<string, unknown>;
  /** True when some message carried parts other than text (images, audio): they are not forwarded. */
  droppedNonText: boolean;
}

export type ChatRequestResult =
  | { ok: true; request: ParsedChatRequest }
  | { ok: false; message: string; param?: string };

function flatten(content: RequestMessage['content']): { text: string; dropped: boolean } {
  if (content === undefined || content === null) return { text: '', dropped: false };
  if (typeof content === 'string') return { text: content, dropped: false };
  const texts = content
    .filter((p) => p.type === 'text' && typeof p.text === 'string')
    .map((p) => p.text ?? '');
  return { text: texts.join('\n'), dropped: texts.length !== content.length };
}

function normalise(message: RequestMessage): { message: ApiServerChatMessage; dropped: boolean } {
  const { text, dropped } = flatten(message.content);
  const out: ApiServerChatMessage = { role: message.role, content: text };
  if (message.name !== undefined) out.name = message.name;
  if (message.tool_call_id !== undefined) out.toolCallId = message.tool_call_id;
  if (message.tool_calls !== undefined) out.toolCalls = message.tool_calls;
  return { message: out, dropped };
}

/** Validates the JSON body of `POST /v1/chat/completions` and splits it into prompt, system and history. */
export function parseChatRequest(body: unknown): ChatRequestResult {
  const parsed = chatCompletionRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue?.path.join('.') || undefined;
    const message = issue ? `${param ?? 'body'}: ${issue.message}` : 'invalid request body';
    return param === undefined ? { ok: false, message } : { ok: false, message, param };
  }
  const { messages, model, stream, stream_options, ...options } = parsed.data;
  const lastUser = messages.findLastIndex((m) => m.role === 'user');
  if (lastUser < 0) return { ok: false, message: 'messages must contain a user message', param: 'messages' };
  let droppedNonText = false;
  const system: string[] = [];
  const history: ApiServerChatMessage[] = [];
  messages.forEach((m, index) => {
    if (index === lastUser) return;
    const { message, dropped } = normalise(m);
    droppedNonText ||= dropped;
    if (m.role === 'system' || m.role === 'developer') system.push(message.content);
    else if (index < lastUser) history.push(message);
  });
  const prompt = flatten(messages[lastUser]?.content);
  droppedNonText ||= prompt.dropped;
  if (prompt.text.trim() === '') {
    return {
      ok: false,
      message: 'the last user message has no text content',
      param: `messages.${lastUser}.content`,
    };
  }
  return {
    ok: true,
    request: {
      text: prompt.text,
      system,
      history,
      model,
      stream: stream === true,
      includeUsage: stream_options?.include_usage === true,
      options,
      droppedNonText,
    },
  };
}
