/** Token counts a step reports; unset fields are estimated from the text (≈4 characters a token). */
export interface FakeUsage {
  promptTokens?: number;
  completionTokens?: number;
}

export interface FakeToolCall {
  name: string;
  /** An object is JSON-encoded; a string is sent as is (use it to send malformed arguments). */
  arguments: Record<string, unknown> | string;
  id?: string;
}

/** One scripted answer of the fake model (or, for `delay`, a pause before the next one). */
export type FakeStep =
  | { kind: 'text'; text: string; usage?: FakeUsage; finishReason?: 'stop' | 'length' | 'content_filter' }
  | { kind: 'stream'; chunks: string[]; delayMs?: number; reasoning?: string[]; usage?: FakeUsage }
  | { kind: 'tool-calls'; calls: FakeToolCall[]; text?: string; fragmentSize?: number; usage?: FakeUsage }
  | {
      kind: 'error';
      status: number;
      message: string;
      type?: string;
      code?: string | null;
      param?: string | null;
      headers?: Record<string, string>;
    }
  /** Starts a stream, sends these content chunks, then an error event mid-stream. */
  | { kind: 'stream-error'; chunks: string[]; message: string; type?: string; code?: string | null }
  /** Holds the response that follows for `ms` (before headers). */
  | { kind: 'delay'; ms: number }
  /** Never answers; the request ends when the client gives up or the server closes. */
  | { kind: 'hang' };

/** Builders for scripts: `fake.script(step.toolCall('terminal', { command: 'echo hi' }), step.text('done'))`. */
export const step = {
  text: (text: string, usage?: FakeUsage): FakeStep => ({ kind: 'text', text, ...(usage ? { usage } : {}) }),
  stream: (
    chunks: string[],
    o: { delayMs?: number; reasoning?: string[]; usage?: FakeUsage } = {},
  ): FakeStep => ({
    kind: 'stream',
    chunks,
    ...o,
  }),
  toolCalls: (
    calls: FakeToolCall[],
    o: { text?: string; fragmentSize?: number; usage?: FakeUsage } = {},
  ): FakeStep => ({
    kind: 'tool-calls',
    calls,
    ...o,
  }),
  toolCall: (name: string, args: Record<string, unknown> | string, id?: string): FakeStep => ({
    kind: 'tool-calls',
    calls: [{ name, arguments: args, ...(id ? { id } : {}) }],
  }),
  error: (
    status: number,
    message: string,
    o: { type?: string; code?: string | null; param?: string | null; headers?: Record<string, string> } = {},
  ): FakeStep => ({ kind: 'error', status, message, ...o }),
  streamError: (chunks: string[], message: string, code?: string | null): FakeStep => ({
    kind: 'stream-error',
    chunks,
    message,
    ...(code === undefined ? {} : { code }),
  }),
  delay: (ms: number): FakeStep => ({ kind: 'delay', ms }),
  hang: (): FakeStep => ({ kind: 'hang' }),
} as const;

/** The error bodies OpenAI sends for the usual failures, for tests of error handling. */
export const openAIErrors = {
  unauthorized: (): FakeStep =>
    step.error(
      401,
      'Incorrect API key provided: sk-fa***. You can find your API key in your account settings.',
      {
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      },
    ),
  forbidden: (): FakeStep =>
    step.error(403, 'You are not allowed to use this model.', {
      type: 'invalid_request_error',
      code: 'model_forbidden',
    }),
  modelNotFound: (model = 'no-such-model'): FakeStep =>
    step.error(404, `The model \`${model}\` does not exist or you do not have access to it.`, {
      type: 'invalid_request_error',
      code: 'model_not_found',
    }),
  rateLimited: (retryAfterSeconds?: number): FakeStep =>
    step.error(429, 'Rate limit reached for requests. Please try again later.', {
      type: 'requests',
      code: 'rate_limit_exceeded',
      ...(retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(retryAfterSeconds) } }),
    }),
  contextTooLong: (): FakeStep =>
    step.error(
      400,
      "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens. Please reduce the length of the messages.",
      { type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' },
    ),
  serverError: (): FakeStep =>
    step.error(500, 'The server had an error while processing your request. Sorry about that!', {
      type: 'server_error',
    }),
} as const;
