import type { AgentOptions } from './agent.js';
import type { ReasoningEffort } from './types.js';

export type AgentEnv = Record<string, string | undefined>;

/** The agent's env vars that hold secrets: a host redacts their values from its logs. */
export const AGENT_SECRET_ENV: readonly string[] = ['OPENAI_API_KEY'];

const EFFORTS: readonly ReasoningEffort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];

function positiveInt(env: AgentEnv, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`${name} must be a positive whole number, got "${raw}".`);
  return n;
}

/**
 * The model settings from the environment: OPENAI_BASE_URL, OPENAI_API_KEY, HERMES_MODEL, plus the
 * optional HERMES_MAX_ITERATIONS, HERMES_REQUEST_TIMEOUT_SECONDS and HERMES_REASONING_EFFORT.
 * Empty values count as unset. A malformed number throws, naming the variable.
 */
export function agentOptionsFromEnv(env: AgentEnv = process.env): AgentOptions {
  const options: AgentOptions = {};
  const baseURL = env['OPENAI_BASE_URL']?.trim();
  const apiKey = env['OPENAI_API_KEY']?.trim();
  const model = env['HERMES_MODEL']?.trim();
  if (baseURL) options.baseURL = baseURL;
  if (apiKey) options.apiKey = apiKey;
  if (model) options.model = model;
  const iterations = positiveInt(env, 'HERMES_MAX_ITERATIONS');
  if (iterations !== undefined) options.maxToolIterations = iterations;
  const timeout = positiveInt(env, 'HERMES_REQUEST_TIMEOUT_SECONDS');
  if (timeout !== undefined) options.requestTimeoutMs = timeout * 1000;
  const effort = env['HERMES_REASONING_EFFORT']?.trim().toLowerCase();
  if (effort) {
    if (!(EFFORTS as readonly string[]).includes(effort)) {
      throw new Error(`HERMES_REASONING_EFFORT must be one of ${EFFORTS.join(', ')}, got "${effort}".`);
    }
    options.reasoningEffort = effort as ReasoningEffort;
  }
  return options;
}
