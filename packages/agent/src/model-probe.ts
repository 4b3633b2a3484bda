import OpenAI, { APIError } from 'openai';
import { createModelFetch } from './model-fetch/index.js';
import { describeProviderError } from './provider-errors.js';
import type { AgentErrorCode } from './types.js';

export type ModelProbeResult =
  | { ok: true; detail: string }
  | { ok: false; code: AgentErrorCode; message: string };

/**
 * One cheap request (`GET /models`) that proves the endpoint answers and takes the key, for `hermes
 * doctor`. It costs no tokens. An endpoint without a model list (404) still counts as reachable.
 */
export async function probeModel(o: {
  model: string;
  baseURL?: string;
  apiKey?: string;
  timeoutMs?: number;
}): Promise<ModelProbeResult> {
  const transport = createModelFetch();
  const client = new OpenAI({
    fetch: transport.fetch,
    apiKey: o.apiKey ?? 'no-key',
    maxRetries: 0,
    timeout: o.timeoutMs ?? 10_000,
    ...(o.baseURL ? { baseURL: o.baseURL } : {}),
  });
  const where = o.baseURL ?? 'the OpenAI API';
  try {
    const ids: string[] = [];
    for await (const m of client.models.list()) {
      ids.push(m.id);
      if (ids.length >= 500) break;
    }
    if (ids.length > 0 && !ids.includes(o.model))
      return {
        ok: false,
        code: 'model_not_found',
        message: `${where} does not offer the model "${o.model}" (it lists ${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', …' : ''}): set HERMES_MODEL to one of them`,
      };
    return { ok: true, detail: `${where} answers and lists ${o.model}` };
  } catch (error) {
    if (error instanceof APIError && error.status === 404)
      return { ok: true, detail: `${where} answers (it has no model list to check "${o.model}" against)` };
    const info = describeProviderError(error);
    return { ok: false, code: info.code, message: `${where}: ${info.message}` };
  } finally {
    // A probe is one-off: its pool goes with it (every response has been read or aborted by now).
    await transport.close();
  }
}
