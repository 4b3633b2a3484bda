import { APIConnectionError, APIConnectionTimeoutError, APIError, OpenAIError } from 'openai';
import type { AgentErrorCode } from './types.js';

export interface ProviderErrorInfo {
  code: AgentErrorCode;
  /** A plain sentence for the user: no stack, no secrets, says what to do. */
  message: string;
  retryAfterMs?: number;
  /** For logs only. */
  status?: number;
}

/** The request ran into the agent's own idle/total timeout (the client's timeout surfaces differently). */
export class ModelTimeoutError extends Error {
  override readonly name = 'ModelTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`no response from the model within ${timeoutMs} ms`);
  }
}

const CONTEXT_OVERFLOW =
  /context[_ ]length|context window|maximum context|too many tokens|prompt is too long|reduce the length|input is too long/i;

function headerOf(headers: unknown, name: string): string | undefined {
  if (headers && typeof (headers as Headers).get === 'function')
    return (headers as Headers).get(name) ?? undefined;
  return undefined;
}

/** `retry-after-ms`, `retry-after` in seconds, or `retry-after` as an HTTP date. */
export function retryAfterMsFrom(headers: unknown, now = Date.now()): number | undefined {
  const ms = Number(headerOf(headers, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const raw = headerOf(headers, 'retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

function formatWait(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s < 120 ? `${s} second${s === 1 ? '' : 's'}` : `${Math.ceil(s / 60)} minutes`;
}

function fromApiError(error: APIError): ProviderErrorInfo {
  const status = error.status;
  const detail = `${error.code ?? ''} ${error.type ?? ''} ${error.message}`;
  if (status === 401 || status === 403) {
    return {
      code: 'auth_failed',
      status,
      message:
        'The model provider rejected the API key. Check OPENAI_API_KEY (and that the key may use this model), then try again.',
    };
  }
  if (status === 404 || /model_not_found/i.test(detail)) {
    return {
      code: 'model_not_found',
      ...(status === undefined ? {} : { status }),
      message:
        'The model provider does not know the configured model. Check HERMES_MODEL (or `model:` in config.yaml) and OPENAI_BASE_URL.',
    };
  }
  if (status === 413 || (CONTEXT_OVERFLOW.test(detail) && (status === undefined || status === 400))) {
    return {
      code: 'context_too_long',
      ...(status === undefined ? {} : { status }),
      message:
        'This conversation is too long for the model. Send /compress to shrink it, or /new to start a fresh session.',
    };
  }
  if (status === 429) {
    const retryAfterMs = retryAfterMsFrom(error.headers);
    const quota = /insufficient_quota|usage_limit|quota/i.test(detail);
    const when = retryAfterMs === undefined ? 'in a little while' : `in about ${formatWait(retryAfterMs)}`;
    return {
      code: 'rate_limited',
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      message: quota
        ? 'The model provider says the usage quota is used up. Check the plan or billing of the account behind OPENAI_API_KEY.'
        : `The model provider is rate limiting us. Please try again ${when}.`,
    };
  }
  if (status === 529 || status === 503) {
    return {
      code: 'overloaded',
      status,
      message: 'The model provider is overloaded right now. Please try again shortly.',
    };
  }
  if (status !== undefined && status >= 500) {
    return {
      code: 'server_error',
      status,
      message: `The model provider had an internal error (HTTP ${status}). Please try again; /retry resends your message.`,
    };
  }
  if (status !== undefined && status >= 400) {
    return {
      code: 'bad_request',
      status,
      message: `The model provider refused the request (HTTP ${status}). If it keeps happening, try /new to start a fresh session.`,
    };
  }
  return {
    code: 'bad_response',
    message: 'The model provider sent an error in the middle of its answer. Please try again.',
  };
}

/** Maps anything the client or the loop threw to a code and a sentence the user can act on. */
export function describeProviderError(error: unknown): ProviderErrorInfo {
  if (error instanceof ModelTimeoutError || error instanceof APIConnectionTimeoutError) {
    return {
      code: 'timeout',
      message:
        'The model did not answer in time. Please try again; if it keeps happening, check the provider at OPENAI_BASE_URL.',
    };
  }
  if (error instanceof APIConnectionError) {
    return {
      code: 'network',
      message:
        'Could not reach the model provider (connection failed). Check OPENAI_BASE_URL and that the server is running.',
    };
  }
  if (error instanceof APIError) return fromApiError(error);
  if (error instanceof SyntaxError || error instanceof OpenAIError) {
    return {
      code: 'bad_response',
      message:
        'The model provider sent a reply I could not read. Check that OPENAI_BASE_URL points to an OpenAI-compatible API.',
    };
  }
  return { code: 'unknown', message: 'Something went wrong while talking to the model. Please try again.' };
}
