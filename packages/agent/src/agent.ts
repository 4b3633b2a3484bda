import OpenAI from 'openai';
import { type CompressInput, type CompressResult, compressHistory } from './compress.js';
import { EventChannel } from './event-channel.js';
import { runTurnLoop, type TurnDeps } from './loop/run-turn.js';
import { type ModelConfigStatus, resolveModelConfig } from './model-config.js';
import { createModelFetch, type FetchFunction } from './model-fetch/index.js';
import type {
  AgentEvent,
  AgentLogger,
  AgentTool,
  ReasoningEffort,
  RunTurnInput,
  ToolProvider,
} from './types.js';

export interface AgentOptions {
  /** OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1. Default: OpenAI's when a key is set. */
  baseURL?: string;
  apiKey?: string;
  model?: string;
  systemPrompt?: string;
  /** Tools the model may call; none by default (add `createTerminalTool()`, `createSendMessageTool(…)`). */
  tools?: AgentTool[];
  /** Tools that may change at run time (e.g. an `McpToolHub`), read at the start of each turn. */
  toolProviders?: readonly ToolProvider[];
  logger?: AgentLogger;
  /** Tool-loop steps per turn before the model must answer in text. Default 20. */
  maxToolIterations?: number;
  /** No response headers or no stream chunk for this long ends the request as a timeout. Default 120 s. */
  requestTimeoutMs?: number;
  /** Client retries for connection errors, 408/409/429/5xx (honouring retry-after). Default 2. */
  maxRetries?: number;
  /** Stream the answer (text-delta events as it is written). Default true. */
  stream?: boolean;
  reasoningEffort?: ReasoningEffort;
  /** Cap on one tool result in the transcript. Default 50,000 characters. */
  maxToolOutputChars?: number;
  /**
   * The fetch the model client uses. Default: `createModelFetch()`, undici's request() on a keep-alive
   * pool that honours HTTP_PROXY/HTTPS_PROXY/NO_PROXY. Pass `globalThis.fetch` for Node's own.
   */
  fetch?: FetchFunction;
}

export interface Agent {
  /** The model turns use unless a turn overrides it; undefined when no model is configured. */
  readonly model: string | undefined;
  readonly configured: boolean;
  /** One turn in, events out; `done` is always the last event. Leaving the loop early interrupts the turn. */
  runTurn(input: RunTurnInput): AsyncIterable<AgentEvent>;
  /** `/compress`: summarise the older part of a transcript with the model. */
  compress(input: CompressInput): Promise<CompressResult>;
}

const noopLogger: AgentLogger = { debug() {}, info() {}, warn() {}, error() {} };

function tooling(tools: readonly AgentTool[]): Map<string, AgentTool> {
  const map = new Map<string, AgentTool>();
  for (const t of tools) {
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(t.name)) {
      throw new Error(`Tool name "${t.name}" is not allowed: use 1-64 letters, digits, "_" or "-".`);
    }
    if (map.has(t.name)) throw new Error(`Two tools are named "${t.name}"; tool names must be unique.`);
    map.set(t.name, t);
  }
  return map;
}

/**
 * The fixed tools plus what the providers offer now. A provider's tool that is badly named or takes a name
 * already used is left out (logged once per name), never allowed to replace a fixed tool.
 */
function turnTools(
  fixed: ReadonlyMap<string, AgentTool>,
  providers: readonly ToolProvider[],
  logger: AgentLogger,
  warned: Set<string>,
): ReadonlyMap<string, AgentTool> {
  if (providers.length === 0) return fixed;
  const all = new Map(fixed);
  for (const provider of providers)
    for (const t of provider.tools()) {
      const problem = !/^[a-zA-Z0-9_-]{1,64}$/.test(t.name)
        ? 'its name breaks the 1-64 letters, digits, "_" or "-" rule'
        : all.has(t.name)
          ? 'another tool has that name'
          : undefined;
      if (!problem) {
        all.set(t.name, t);
        continue;
      }
      if (!warned.has(t.name)) logger.warn('tool refused', { tool: t.name, problem });
      warned.add(t.name);
    }
  return all;
}

async function* unconfiguredTurn(
  status: Extract<ModelConfigStatus, { configured: false }>,
): AsyncGenerator<AgentEvent> {
  yield { type: 'text-delta', text: status.notice };
  yield { type: 'done', text: status.notice, messages: [], interrupted: false };
}

async function* configuredTurn(deps: TurnDeps, input: RunTurnInput): AsyncGenerator<AgentEvent> {
  const channel = new EventChannel<AgentEvent>();
  // Leaving the for-await early (break, throw) must not leave a command running.
  const local = new AbortController();
  const signal = AbortSignal.any([input.signal, local.signal]);
  let settled = false;
  const work = runTurnLoop(deps, input, signal, (e) => channel.push(e)).then(
    () => {
      settled = true;
      channel.close();
    },
    (error: unknown) => {
      settled = true;
      channel.fail(error);
    },
  );
  try {
    yield* channel;
  } finally {
    // A loop that has ended holds nothing to stop (its listeners are gone), and an abort would build a
    // DOMException with a stack trace on every turn for nobody to read.
    if (!settled) local.abort();
    await work;
  }
}

export function createAgent(options: AgentOptions = {}): Agent {
  const status = resolveModelConfig(options);
  const logger = options.logger ?? noopLogger;
  const tools = tooling(options.tools ?? []);
  if (!status.configured) {
    logger.warn('no model configured; every turn will reply with setup instructions', {
      missing: status.missing,
    });
    return {
      model: undefined,
      configured: false,
      runTurn: () => unconfiguredTurn(status),
      compress: async () => ({ ok: false, code: 'no_model', message: status.notice }),
    };
  }
  const requestTimeoutMs = options.requestTimeoutMs ?? 120_000;
  // One pool per agent. The agent has no close(): the pool's idle sockets are unref'd, so it never holds
  // the process open, and it goes with the agent.
  const fetch = options.fetch ?? createModelFetch().fetch;
  const client = new OpenAI({
    fetch,
    baseURL: status.baseURL,
    apiKey: status.apiKey,
    maxRetries: options.maxRetries ?? 2,
    timeout: requestTimeoutMs,
    // Route the client's own complaints into our logger, message text only: its extra arguments can
    // carry request details we do not want in logs.
    logLevel: 'warn',
    logger: {
      error: (msg: string) => logger.warn(`openai client: ${msg}`),
      warn: (msg: string) => logger.warn(`openai client: ${msg}`),
      info: () => {},
      debug: () => {},
    },
  });
  const deps: TurnDeps = {
    client,
    model: status.model,
    systemPrompt: options.systemPrompt,
    tools,
    logger,
    maxToolIterations: options.maxToolIterations ?? 20,
    requestTimeoutMs,
    stream: options.stream ?? true,
    maxToolOutputChars: options.maxToolOutputChars ?? 50_000,
    reasoningEffort: options.reasoningEffort,
  };
  const providers = options.toolProviders ?? [];
  const warned = new Set<string>();
  return {
    model: status.model,
    configured: true,
    runTurn: (input) =>
      configuredTurn({ ...deps, tools: turnTools(tools, providers, logger, warned) }, input),
    compress: (input) => compressHistory(deps, input),
  };
}
