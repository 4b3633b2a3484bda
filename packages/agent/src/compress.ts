import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { estimateTokens, sanitizeHistory } from './history.js';
import { callModel } from './loop/model-call.js';
import type { TurnDeps } from './loop/run-turn.js';
import { describeProviderError } from './provider-errors.js';
import type { AgentErrorCode, ChatMessage, UsageEvent } from './types.js';

export interface CompressInput {
  history: ChatMessage[];
  signal: AbortSignal;
  /** `/compress <focus>`: what the summary should keep in detail. */
  focus?: string;
  /** Most recent user turns kept word for word. Default 1. */
  keepTurns?: number;
  model?: string;
}

export type CompressResult =
  | {
      ok: true;
      /** The replacement transcript: a summary message, then the kept recent turns. */
      messages: ChatMessage[];
      summary: string;
      before: { messages: number; tokens: number };
      after: { messages: number; tokens: number };
      usage: Omit<UsageEvent, 'type'>;
    }
  | { ok: false; code: AgentErrorCode | 'not_enough' | 'no_model' | 'interrupted'; message: string };

export const SUMMARY_PREFIX = '[Summary of the earlier conversation]';
const MIN_MESSAGES = 4;

const INSTRUCTIONS =
  'Summarise the conversation so far for your own later use. Keep facts, decisions, names, file paths, ' +
  'commands that were run and their outcomes, open questions and what the user wants next. Write plain ' +
  'prose and short lists, no preamble.';

/** Split so the kept tail starts at a user message: tool results never lose their call. */
function splitAtTurn(history: ChatMessage[], keepTurns: number): [ChatMessage[], ChatMessage[]] {
  let seen = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i]?.role === 'user' && ++seen === keepTurns) return [history.slice(0, i), history.slice(i)];
  }
  return [history, []];
}

function renderForSummary(messages: ChatMessage[]): string {
  return messages
    .map((m) => {
      if (m.role === 'tool') return `TOOL RESULT: ${m.content.slice(0, 2000)}`;
      if (m.role === 'assistant' && m.tool_calls?.length) {
        const calls = m.tool_calls
          .map((c) => `${c.function.name}(${c.function.arguments.slice(0, 500)})`)
          .join(', ');
        return `ASSISTANT: ${m.content ?? ''}\nTOOL CALLS: ${calls}`;
      }
      return `${m.role.toUpperCase()}: ${m.content ?? ''}`;
    })
    .join('\n\n');
}

export async function compressHistory(deps: TurnDeps, input: CompressInput): Promise<CompressResult> {
  const history = sanitizeHistory(input.history.filter((m) => m.role !== 'system'));
  if (history.length < MIN_MESSAGES) {
    return { ok: false, code: 'not_enough', message: 'Not enough conversation to compress.' };
  }
  const [older, recent] = splitAtTurn(history, Math.max(1, input.keepTurns ?? 1));
  if (older.length < 2)
    return { ok: false, code: 'not_enough', message: 'Not enough conversation to compress.' };
  const model = input.model ?? deps.model;
  const focus = input.focus?.trim() ? `\nPay particular attention to: ${input.focus.trim()}` : '';
  try {
    const step = await callModel(
      deps.client,
      {
        model,
        messages: [
          { role: 'system', content: INSTRUCTIONS + focus },
          { role: 'user', content: renderForSummary(older) },
        ] satisfies ChatCompletionMessageParam[],
      },
      {
        stream: false,
        idleTimeoutMs: deps.requestTimeoutMs,
        signal: input.signal,
        onText() {},
        onReasoning() {},
      },
    );
    if (step.interrupted) return { ok: false, code: 'interrupted', message: 'Compression was interrupted.' };
    const summary = step.text.trim();
    if (!summary)
      return {
        ok: false,
        code: 'bad_response',
        message: 'The model returned an empty summary; nothing changed.',
      };
    const messages: ChatMessage[] = [{ role: 'user', content: `${SUMMARY_PREFIX}\n${summary}` }, ...recent];
    const u = step.usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
    return {
      ok: true,
      messages,
      summary,
      before: { messages: history.length, tokens: estimateTokens(history) },
      after: { messages: messages.length, tokens: estimateTokens(messages) },
      usage: { model, ...u, apiCalls: 1, lastPromptTokens: u.promptTokens },
    };
  } catch (error) {
    const info = describeProviderError(error);
    deps.logger.warn('compression failed', { code: info.code, status: info.status });
    return { ok: false, code: info.code, message: info.message };
  }
}
