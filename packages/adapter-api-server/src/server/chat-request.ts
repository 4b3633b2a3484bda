import { z } from 'zod';

// Every schema here strips the fields it does not name: only what the server uses outlives the parse,
// so a client's image data, tool schemas and vendor extensions are not carried through the run.

const contentPartSchema = z.object({ type: z.string(), text: z.string().optional() });

const toolCallSchema = z.object({
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

const messageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional(),
  name: z.string().nullish(),
  tool_call_id: z.string().nullish(),
  tool_calls: z.array(toolCallSchema).nullish(),
});

/** The sampling options kept for the host; every other request field is dropped. */
const optionShape = {
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  max_tokens: z.number().int().nullish(),
  max_completion_tokens: z.number().int().nullish(),
  presence_penalty: z.number().nullish(),
  frequency_penalty: z.number().nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
};

/** The fields of a chat completion request this server reads. */
export const chatCompletionRequestSchema = z.object({
  model: z.string().nullish(),
  messages: z.array(messageSchema).min(1, 'messages must contain at least one message'),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  ...optionShape,
});

type RequestMessage = z.output<typeof messageSchema>;

/** A tool call of an earlier assistant message, as the client sent it (informational). */
export interface ApiServerToolCall {
  id?: string;
  name?: string;
  arguments?: string;
}

/** One message of the conversation the client sent, content flattened to text. */
export interface ApiServerChatMessage {
  role: RequestMessage['role'];
  content: string;
  name?: string;
  toolCallId?: string;
  toolCalls?: ApiServerToolCall[];
}

/** Sampling options the client sent (informational: the host runs its own model settings). */
export interface ApiServerRequestOptions {
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  seed?: number;
  stop?: string | string[];
}

export interface ParsedChatRequest {
  /** The last user message: the prompt of this turn. */
  text: string;
  /** `system` and `developer` messages, which layer on top of the host's own prompt. */
  system: string[];
  /** Everything before the last user message except system text, oldest first. */
  history: ApiServerChatMessage[];
  /** The model the client named; undefined when it named none. */
  model: string | undefined;
  stream: boolean;
  includeUsage: boolean;
  options: ApiServerRequestOptions;
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

function toolCall(call: z.output<typeof toolCallSchema>): ApiServerToolCall {
  const out: ApiServerToolCall = {};
  if (call.id != null) out.id = call.id;
  if (call.function?.name != null) out.name = call.function.name;
  if (call.function?.arguments != null) out.arguments = call.function.arguments;
  return out;
}

function normalise(message: RequestMessage): { message: ApiServerChatMessage; dropped: boolean } {
  const { text, dropped } = flatten(message.content);
  const out: ApiServerChatMessage = { role: message.role, content: text };
  if (message.name != null) out.name = message.name;
  if (message.tool_call_id != null) out.toolCallId = message.tool_call_id;
  if (message.tool_calls != null) out.toolCalls = message.tool_calls.map(toolCall);
  return { message: out, dropped };
}

function pickOptions(data: z.output<typeof chatCompletionRequestSchema>): ApiServerRequestOptions {
  const options: ApiServerRequestOptions = {};
  for (const key of Object.keys(optionShape) as Array<keyof ApiServerRequestOptions>) {
    const value = data[key];
    if (value != null) Object.assign(options, { [key]: value });
  }
  return options;
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
  const { messages, model, stream, stream_options } = parsed.data;
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
      model: model == null || model.trim() === '' ? undefined : model,
      stream: stream === true,
      includeUsage: stream_options?.include_usage === true,
      options: pickOptions(parsed.data),
      droppedNonText,
    },
  };
}
