import { type BackoffPolicy, backoffDelay, validateBackoffPolicy } from '../connection/backoff.js';
import { type AdapterError, toAdapterError } from '../errors.js';
import type { Logger } from '../logger.js';
import { abortableSleep, abortError } from './abortable-sleep.js';

export interface RetryOptions {
  /** Total calls including the first. Default 4. */
  maxAttempts?: number;
  /** Used when the error carries no `retryAfterMs`. Default exponential 500 ms → 30 s, factor 2, 20 % jitter. */
  backoff?: BackoffPolicy;
  /** A platform asking for a longer pause than this is not waited for: the error is thrown. Default 60 s. */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
  logger?: Logger;
  /**
   * Replaces the default decision (`error.retryable`). Errors coded `timeout_ambiguous` or `aborted` are
   * never retried whatever it says: a resend after an ambiguous timeout could duplicate a message.
   */
  shouldRetry?(error: AdapterError, attempt: number): boolean;
  /** Names the operation in log lines, e.g. `telegram sendMessage`. */
  label?: string;
  /** Source of randomness for the jitter (tests pin it). */
  random?: () => number;
}

export const DEFAULT_RETRY_BACKOFF: BackoffPolicy = {
  kind: 'exponential',
  initialMs: 500,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.2,
};
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

const NEVER_RETRY: ReadonlySet<string> = new Set(['timeout_ambiguous', 'aborted']);

/**
 * Calls `fn` until it succeeds, retrying only errors that are safe to repeat. Whatever `fn` throws comes
 * out as an AdapterError (wrapped with `toAdapterError`), so callers can branch on `code`.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 4));
  const backoff = options.backoff ?? DEFAULT_RETRY_BACKOFF;
  validateBackoffPolicy(backoff);
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  const label = options.label ?? 'operation';
  const signal = options.signal;

  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw abortError(signal, label);
    let error: AdapterError;
    try {
      return await fn(attempt);
    } catch (raw) {
      error = toAdapterError(raw);
    }
    if (signal?.aborted) throw abortError(signal, label);
    if (NEVER_RETRY.has(error.code)) throw error;
    const wanted = options.shouldRetry ? options.shouldRetry(error, attempt) : error.retryable;
    if (!wanted) throw error;
    if (attempt >= maxAttempts) {
      options.logger?.warn(`${label}: giving up after ${attempt} attempts: ${error.message}`, {
        attempt,
        code: error.code,
      });
      throw error;
    }
    const asked = platformDelay(error);
    const delayMs = asked ?? backoffDelay(backoff, attempt, options.random);
    if (asked !== undefined && asked > maxRetryAfterMs) {
      options.logger?.warn(
        `${label}: platform asked to wait ${delayMs} ms, more than the ${maxRetryAfterMs} ms cap; giving up`,
        { attempt, code: error.code, retryAfterMs: delayMs },
      );
      throw error;
    }
    options.logger?.warn(`${label}: attempt ${attempt} failed (${error.code}), retrying in ${delayMs} ms`, {
      attempt,
      code: error.code,
      delayMs,
      error: error.message,
    });
    await abortableSleep(delayMs, signal, label);
  }
}

/** The wait the platform asked for (Retry-After, retry_after), if it gave a usable one. */
function platformDelay(error: AdapterError): number | undefined {
  const ms = error.retryAfterMs;
  return ms !== undefined && Number.isFinite(ms) && ms >= 0 ? Math.ceil(ms) : undefined;
}
