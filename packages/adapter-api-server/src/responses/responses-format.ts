import type { ApiServerUsage, CompletionIdentity } from '../server/completion-format.js';

export interface ResponseMeta {
  instructions: string | null;
  previousResponseId: string | null;
  store: boolean;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'failed';

export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: [];
}

export interface OutputMessage {
  type: 'message';
  id: string;
  status: 'in_progress' | 'completed';
  role: 'assistant';
  content: OutputText[];
}

/** A `response` object as the Responses API returns it (the fields clients read; tools are not offered). */
export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: null;
  instructions: string | null;
  max_output_tokens: null;
  model: string;
  output: OutputMessage[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  store: boolean;
  temperature: null;
  text: { format: { type: 'text' } };
  tool_choice: 'auto';
  tools: [];
  top_p: null;
  usage: {
    input_tokens: number;
    output_tokens: number;
    total_tokens: number;
    input_tokens_details: { cached_tokens: number };
    output_tokens_details: { reasoning_tokens: number };
  } | null;
  metadata: Record<string, string>;
}

export const outputText = (text: string): OutputText => ({ type: 'output_text', text, annotations: [] });

export function outputMessage(itemId: string, text: string | undefined): OutputMessage {
  return {
    type: 'message',
    id: itemId,
    status: text === undefined ? 'in_progress' : 'completed',
    role: 'assistant',
    content: text === undefined ? [] : [outputText(text)],
  };
}

export function responseObject(
  identity: CompletionIdentity,
  meta: ResponseMeta,
  state:
    | { status: 'in_progress' }
    | { status: 'completed'; itemId: string; text: string; usage: ApiServerUsage | undefined }
    | { status: 'failed'; error: { code: string; message: string } },
): ResponseObject {
  const usage =
    state.status === 'completed' && state.usage
      ? {
          input_tokens: state.usage.prompt_tokens,
          output_tokens: state.usage.completion_tokens,
          total_tokens: state.usage.total_tokens,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens_details: { reasoning_tokens: 0 },
        }
      : null;
  return {
    id: identity.id,
    object: 'response',
    created_at: identity.created,
    status: state.status,
    error: state.status === 'failed' ? state.error : null,
    incomplete_details: null,
    instructions: meta.instructions,
    max_output_tokens: null,
    model: identity.model,
    output: state.status === 'completed' ? [outputMessage(state.itemId, state.text)] : [],
    parallel_tool_calls: false,
    previous_response_id: meta.previousResponseId,
    store: meta.store,
    temperature: null,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    usage,
    metadata: {},
  };
}
