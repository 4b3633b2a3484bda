import { randomBytes } from 'node:crypto';
import type { FakeToolCall, FakeUsage } from './steps.js';

/** The shapes below follow what api.openai.com sends for chat completions, field for field. */

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export const FINGERPRINT = 'fp_hermes_fake';

export const estimate = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

export function completionId(): string {
  return `chatcmpl-${randomBytes(12).toString('base64url')}`;
}

export function toolCallId(): string {
  return `call_${randomBytes(12).toString('base64url')}`;
}

export function wireUsage(promptText: string, completionText: string, usage?: FakeUsage): WireUsage {
  const prompt_tokens = usage?.promptTokens ?? estimate(promptText);
  const completion_tokens = usage?.completionTokens ?? estimate(completionText);
  return {
    prompt_tokens,
    completion_tokens,
    total_tokens: prompt_tokens + completion_tokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export function wireToolCalls(calls: readonly FakeToolCall[]): WireToolCall[] {
  return calls.map((c) => ({
    id: c.id ?? toolCallId(),
    type: 'function',
    function: {
      name: c.name,
      arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
    },
  }));
}

export interface CompletionMeta {
  id: string;
  model: string;
  created: number;
}

export function wholeCompletion(
  meta: CompletionMeta,
  message: { content: string | null; tool_calls?: WireToolCall[] },
  finishReason: string,
  usage: WireUsage,
): Record<string, unknown> {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: message.content,
          refusal: null,
          annotations: [],
          ...(message.tool_calls?.length ? { tool_calls: message.tool_calls } : {}),
        },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  };
}

/** Builds the `chat.completion.chunk` objects of one streamed answer. */
export class ChunkWriter {
  constructor(
    private readonly meta: CompletionMeta,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(delta: Record<string, unknown>, finishReason: string | null): Record<string, unknown> {
    return {
      id: this.meta.id,
      object: 'chat.completion.chunk',
      created: this.meta.created,
      model: this.meta.model,
      service_tier: 'default',
      system_fingerprint: FINGERPRINT,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      ...(this.includeUsage ? { usage: null } : {}),
    };
  }

  /** The first chunk always announces the role with empty content. */
  role(): Record<string, unknown> {
    return this.chunk({ role: 'assistant', content: '', refusal: null }, null);
  }

  content(text: string): Record<string, unknown> {
    return this.chunk({ content: text }, null);
  }

  reasoning(text: string): Record<string, unknown> {
    return this.chunk({ reasoning_content: text }, null);
  }

  /** First fragment of a call: id, type and name, empty arguments. */
  toolCallStart(index: number, call: WireToolCall): Record<string, unknown> {
    return this.chunk(
      {
        tool_calls: [
          { index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } },
        ],
      },
      null,
    );
  }

  toolCallArguments(index: number, fragment: string): Record<string, unknown> {
    return this.chunk({ tool_calls: [{ index, function: { arguments: fragment } }] }, null);
  }

  finish(reason: string): Record<string, unknown> {
    return this.chunk({}, reason);
  }

  /** Sent after the finish chunk only when the request asked for `stream_options.include_usage`. */
  usage(usage: WireUsage): Record<string, unknown> {
    return {
      id: this.meta.id,
      object: 'chat.completion.chunk',
      created: this.meta.created,
      model: this.meta.model,
      service_tier: 'default',
      system_fingerprint: FINGERPRINT,
      choices: [],
      usage,
    };
  }
}

export function openAIErrorBody(
  message: string,
  type = 'invalid_request_error',
  code: string | null = null,
  param: string | null = null,
) {
  return { error: { message, type, param, code } };
}

export function fragments(text: string, size: number): string[] {
  if (!text) return [];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
