import type { ToolProgressReport, TurnUsage } from '@hermes/adapter-core';

/** Token counts, when the host reports them through `reportUsage`. Never invented by the adapter. */
export type ApiServerUsage = TurnUsage;

export type FinishReason = 'stop' | 'length';

export interface CompletionIdentity {
  id: string;
  created: number;
  model: string;
}

/** A `chat.completion` object exactly as OpenAI returns it for a non-streaming request. */
export function chatCompletion(
  identity: CompletionIdentity,
  text: string,
  usage: ApiServerUsage | undefined,
) {
  return {
    id: identity.id,
    object: 'chat.completion' as const,
    created: identity.created,
    model: identity.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant' as const, content: text, refusal: null },
        logprobs: null,
        finish_reason: 'stop' as FinishReason,
      },
    ],
    ...(usage === undefined ? {} : { usage }),
  };
}

interface ChunkDelta {
  role?: 'assistant';
  content?: string;
}

/** One `chat.completion.chunk`; the first carries the role, the last an empty delta and the finish reason. */
export function completionChunk(
  identity: CompletionIdentity,
  delta: ChunkDelta,
  finishReason: FinishReason | null,
) {
  return {
    id: identity.id,
    object: 'chat.completion.chunk' as const,
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

/** With `stream_options.include_usage`, OpenAI ends the stream with a chunk that has no choices and the usage. */
export function usageChunk(identity: CompletionIdentity, usage: ApiServerUsage | null) {
  return {
    id: identity.id,
    object: 'chat.completion.chunk' as const,
    created: identity.created,
    model: identity.model,
    choices: [],
    usage,
  };
}

/** What the host reports while tools run; shown to clients that listen for `hermes.tool.progress`. */
export type ApiServerToolProgress = ToolProgressReport;

/**
 * Tool progress goes out as a named SSE event. Its data is also shaped like a chunk with no choices,
 * because the official clients parse every `data:` line as a chunk whatever the event name says:
 * an empty `choices` array is something they already handle (the usage chunk has one too).
 */
export function toolProgressChunk(identity: CompletionIdentity, progress: ApiServerToolProgress) {
  return {
    id: identity.id,
    object: 'chat.completion.chunk' as const,
    created: identity.created,
    model: identity.model,
    choices: [],
    hermes_tool_progress: progress,
  };
}
