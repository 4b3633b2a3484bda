import type OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { sanitizeHistory } from '../history.js';
import { describeProviderError } from '../provider-errors.js';
import type {
  AgentEvent,
  AgentLogger,
  AgentTool,
  ChatMessage,
  ReasoningEffort,
  RunTurnInput,
} from '../types.js';
import { limitTools } from './limit-tools.js';
import { callModel } from './model-call.js';
import { runToolCalls } from './run-tools.js';

export interface TurnDeps {
  client: OpenAI;
  model: string;
  systemPrompt: string | undefined;
  tools: ReadonlyMap<string, AgentTool>;
  logger: AgentLogger;
  maxToolIterations: number;
  requestTimeoutMs: number;
  stream: boolean;
  maxToolOutputChars: number;
  reasoningEffort: ReasoningEffort | undefined;
}

interface TurnUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  apiCalls: number;
  lastPromptTokens: number;
}

function toolSpecs(tools: ReadonlyMap<string, AgentTool>): ChatCompletionTool[] {
  return [...tools.values()].map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: t.parameters },
  }));
}

const STOPPED_AT_LIMIT = (n: number) =>
  `I stopped after ${n} tool steps without finishing. Tell me to continue if you want me to keep going.`;

/**
 * One turn: ask the model, run the tools it calls, feed the results back, until it answers in text,
 * the step budget is spent, the turn is interrupted or the provider fails. Always ends with `done`.
 */
export async function runTurnLoop(
  deps: TurnDeps,
  input: RunTurnInput,
  signal: AbortSignal,
  emit: (e: AgentEvent) => void,
): Promise<void> {
  const model = input.model ?? deps.model;
  const system = input.systemPrompt ?? deps.systemPrompt;
  const prompt: ChatMessage[] = [
    ...(system ? [{ role: 'system' as const, content: system }] : []),
    ...sanitizeHistory(input.history),
    { role: 'user', content: input.userText },
  ];
  const added: ChatMessage[] = [];
  const usage: TurnUsage = {
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    apiCalls: 0,
    lastPromptTokens: 0,
  };
  const tools = limitTools(deps.tools, input.toolLimits);
  const specs = toolSpecs(tools);
  const effort = input.reasoningEffort ?? deps.reasoningEffort;
  let text = '';
  let interrupted = false;
  const log = deps.logger;

  try {
    for (let step = 0; ; step++) {
      if (signal.aborted) {
        interrupted = true;
        break;
      }
      const lastStep = step >= deps.maxToolIterations;
      log.debug('model request', {
        sessionKey: input.sessionKey,
        model,
        step,
        messages: prompt.length + added.length,
      });
      const result = await callModel(
        deps.client,
        {
          model,
          messages: [...prompt, ...added] as ChatCompletionMessageParam[],
          ...(specs.length ? { tools: specs, ...(lastStep ? { tool_choice: 'none' as const } : {}) } : {}),
          ...(effort ? { reasoning_effort: effort } : {}),
        },
        {
          stream: deps.stream,
          idleTimeoutMs: deps.requestTimeoutMs,
          signal,
          onText: (t) => emit({ type: 'text-delta', text: t }),
          onReasoning: (t) => emit({ type: 'reasoning-delta', text: t }),
        },
      );
      usage.apiCalls += 1;
      if (result.usage) {
        usage.promptTokens += result.usage.promptTokens;
        usage.completionTokens += result.usage.completionTokens;
        usage.totalTokens += result.usage.totalTokens;
        usage.lastPromptTokens = result.usage.promptTokens;
      }
      text = result.text;
      if (result.interrupted) {
        interrupted = true;
        if (text) added.push({ role: 'assistant', content: text });
        break;
      }
      // Past the budget a provider may still ignore tool_choice:'none'; its calls are not run.
      const calls = lastStep ? [] : result.toolCalls;
      added.push({
        role: 'assistant',
        content: text || null,
        ...(calls.length ? { tool_calls: calls } : {}),
      });
      if (!calls.length) {
        if (lastStep && !text) {
          text = STOPPED_AT_LIMIT(deps.maxToolIterations);
          emit({ type: 'text-delta', text });
          (added[added.length - 1] as { content: string | null }).content = text;
        }
        break;
      }
      const run = await runToolCalls(
        {
          tools,
          sessionKey: input.sessionKey,
          approvals: input.approvals,
          context: input.context ?? {},
          signal,
          logger: log,
          emit,
          maxToolOutputChars: deps.maxToolOutputChars,
        },
        calls,
        added,
      );
      if (run.interrupted) {
        interrupted = true;
        break;
      }
      // Only here, with a model request about to follow: a text drained after the last one would go unread.
      for (const steered of (await input.steer?.drain()) ?? [])
        added.push({ role: 'user', content: steered });
    }
  } catch (error) {
    const info = describeProviderError(error);
    log.warn('model request failed', {
      sessionKey: input.sessionKey,
      code: info.code,
      status: info.status,
      error: error instanceof Error ? error.name : typeof error,
    });
    emit({
      type: 'error',
      code: info.code,
      message: info.message,
      ...(info.retryAfterMs ? { retryAfterMs: info.retryAfterMs } : {}),
    });
    text = '';
  }
  if (usage.apiCalls > 0) emit({ type: 'usage', model, ...usage });
  emit({ type: 'done', text, messages: added, interrupted });
}
