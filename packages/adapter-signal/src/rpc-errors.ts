import { AdapterError, type AdapterErrorOptions } from '@hermes/adapter-core';
import { SIGNAL_PLATFORM } from './constants.js';
import { isRecord } from './envelope.js';

/** signal-cli's own JSON-RPC error codes (SignalJsonRpcCommandHandler), beside the standard -326xx ones. */
const USER_ERROR = -1;
const IO_ERROR = -3;
const UNTRUSTED_KEY_ERROR = -4;
const RATELIMIT_ERROR = -5;
const CAPTCHA_REJECTED_ERROR = -6;
const METHOD_NOT_FOUND = -32601;
const INTERNAL_ERROR = -32603;

export interface JsonRpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

/** The longest retryAfterSeconds among the per-recipient results the daemon attaches to a rate limit. */
function retryAfterSeconds(data: unknown): number | undefined {
  if (!isRecord(data) || !isRecord(data['response'])) return undefined;
  const results = data['response']['results'];
  if (!Array.isArray(results)) return undefined;
  let longest: number | undefined;
  for (const result of results) {
    const seconds = isRecord(result) ? result['retryAfterSeconds'] : undefined;
    if (typeof seconds === 'number' && seconds >= 0) longest = Math.max(longest ?? 0, seconds);
  }
  return longest;
}

/**
 * A JSON-RPC error from the daemon as an AdapterError. `idempotent` calls (typing, attachment reads) may be
 * retried after an internal error; a `send` may not, because part of it may already have gone out.
 */
export function signalRpcError(method: string, error: JsonRpcErrorBody, idempotent: boolean): AdapterError {
  const message = `signal-cli ${method} failed: ${error.message} (JSON-RPC ${error.code})`;
  const base: AdapterErrorOptions = { platform: SIGNAL_PLATFORM };
  switch (error.code) {
    case RATELIMIT_ERROR: {
      const seconds = retryAfterSeconds(error.data);
      return new AdapterError('rate_limited', message, {
        ...base,
        ...(seconds === undefined ? {} : { retryAfterMs: Math.ceil(seconds * 1000) }),
      });
    }
    case UNTRUSTED_KEY_ERROR:
      return new AdapterError('untrusted_identity', message, {
        ...base,
        fix: 'The recipient changed their safety number: verify it, then run `signal-cli -a <account> trust <recipient> -a`.',
      });
    case CAPTCHA_REJECTED_ERROR:
      return new AdapterError('forbidden', message, {
        ...base,
        fix: 'Signal wants a captcha: solve one and run `signal-cli submitRateLimitChallenge`.',
      });
    case USER_ERROR:
      return /not registered|could not find|not found/i.test(error.message)
        ? new AdapterError('not_found', message, base)
        : new AdapterError('bad_request', message, base);
    case METHOD_NOT_FOUND:
      return new AdapterError('unsupported', message, {
        ...base,
        fix: 'This signal-cli is too old for the method: upgrade signal-cli (0.13 or newer).',
      });
    case IO_ERROR:
    case INTERNAL_ERROR:
      return new AdapterError('server_error', message, { ...base, retryable: idempotent });
    default:
      if (error.code === -32602 && /account/i.test(error.message)) {
        return new AdapterError('config_invalid', message, {
          ...base,
          fix: 'SIGNAL_ACCOUNT is not an account of this daemon: register or link it, or fix the number.',
        });
      }
      return new AdapterError('bad_request', message, base);
  }
}
