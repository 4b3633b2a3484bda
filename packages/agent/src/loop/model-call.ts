import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import { ModelTimeoutError } from '../provider-errors.js';
import type { ChatToolCall } from '../types.js';
import { ToolCallAccumulator, type ToolCallDelta } from './tool-call-accumulator.js';

export interface StepUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ModelStep {
  text: string;
  toolCalls: ChatToolCall[];
  finishReason: string | null;
  usage?: StepUsage;
  /** The turn's signal fired while the model was answering; `text` is what arrived before. */
  interrupted: boolean;
}

export interface ModelCallOptions {
  stream: boolean;
  /** No headers or no chunk for this long = timeout. */
  idleTimeoutMs: number;
  signal: AbortSignal;
  onText(text: string): void;
  onReasoning(text: string): void;
}

type RequestBody = Omit<ChatCompletionCreateParamsBase, 'stream' | 'stream_options'>;

// Fields some compatible servers add to deltas and messages (DeepSeek, vLLM, OpenRouter…).
interface ReasoningFields {
  reasoning_content?: string | null;
  reasoning?: string | null;
}

function toUsage(
  u: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null | undefined,
) {
  if (!u) return undefined;
  const promptTokens = u.prompt_tokens ?? 0;
  const completionTokens = u.completion_tokens ?? 0;
  return { promptTokens, completionTokens, totalTokens: u.total_tokens ?? promptTokens + completionTokens };
}

/** An abort controller that also fires when nothing arrives for `ms`; `touch()` on every chunk. */
function watchdog(parent: AbortSignal, ms: number) {
  const controller = new AbortController();
  const onParent = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onParent, { once: true });
  if (parent.aborted) onParent();
  let timer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new ModelTimeoutError(ms)), ms);
  };
  touch();
  return {
    signal: controller.signal,
    touch,
    timedOut: () => controller.signal.reason instanceof ModelTimeoutError,
    dispose: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    },
  };
}

async function streamed(
  client: OpenAI,
  body: RequestBody,
  o: ModelCallOptions,
  signal: AbortSignal,
  touch: () => void,
) {
  const stream = await client.chat.completions.create(
    { ...body, stream: true, stream_options: { include_usage: true } },
    { signal },
  );
  const calls = new ToolCallAccumulator();
  let text = '';
  let finishReason: string | null = null;
  let usage: StepUsage | undefined;
  for await (const chunk of stream) {
    touch();
    usage = toUsage(chunk.usage) ?? usage;
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    const delta = (choice.delta ?? {}) as typeof choice.delta & ReasoningFields;
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (reasoning) o.onReasoning(reasoning);
    if (delta.content) {
      text += delta.content;
      o.onText(delta.content);
    }
    if (delta.tool_calls?.length) calls.add(delta.tool_calls as ToolCallDelta[]);
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }
  return { text, toolCalls: calls.result(), finishReason, usage };
}

async function whole(client: OpenAI, body: RequestBody, o: ModelCallOptions, signal: AbortSignal) {
  const completion = await client.chat.completions.create({ ...body, stream: false }, { signal });
  const choice = completion.choices?.[0];
  const message = (choice?.message ?? { content: null }) as NonNullable<typeof choice>['message'] &
    ReasoningFields;
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (reasoning) o.onReasoning(reasoning);
  const text = message.content ?? '';
  if (text) o.onText(text);
  const toolCalls: ChatToolCall[] = (message.tool_calls ?? []).flatMap((c) =>
    c.type === 'function'
      ? [
          {
            id: c.id,
            type: 'function' as const,
            function: { name: c.function.name, arguments: c.function.arguments || '{}' },
          },
        ]
      : [],
  );
  return { text, toolCalls, finishReason: choice?.finish_reason ?? null, usage: toUsage(completion.usage) };
}

/**
 * One chat-completions request. Returns what the model said; an interrupt is a normal outcome
 * (partial text kept), while provider failures and timeouts throw for the caller to map.
 */
export async function callModel(client: OpenAI, body: RequestBody, o: ModelCallOptions): Promise<ModelStep> {
  const dog = watchdog(o.signal, o.idleTimeoutMs);
  let partial = '';
  const opts: ModelCallOptions = {
    ...o,
    onText: (t) => {
      partial += t;
      o.onText(t);
    },
  };
  try {
    const step = o.stream
      ? await streamed(client, body, opts, dog.signal, dog.touch)
      : await whole(client, body, opts, dog.signal);
    // The client ends a stream quietly when its request is aborted: decide here what that meant.
    if (dog.timedOut()) throw dog.signal.reason;
    if (o.signal.aborted) return { text: partial, toolCalls: [], finishReason: null, interrupted: true };
    return { ...step, interrupted: false };
  } catch (error) {
    if (dog.timedOut()) throw dog.signal.reason;
    if (o.signal.aborted) return { text: partial, toolCalls: [], finishReason: null, interrupted: true };
    throw error;
  } finally {
    dog.dispose();
  }
}
