import { type AdapterError, type Logger, withRetry } from '@hermes/adapter-core';
import { isSafeToRetry, toDiscordError } from '../errors.js';

export interface RestCallOptions {
  /** Names the call in errors and logs, e.g. `send message to 123`. */
  what: string;
  /**
   * True when repeating the call cannot duplicate anything: edits, reactions, typing, and message
   * creates that carry a nonce with enforce_nonce. A timeout is never retried either way.
   */
  idempotent: boolean;
  signal: AbortSignal;
  logger: Logger;
}

/**
 * One REST call through discord.js's queue (which waits out 429s by itself), retried here only for a
 * connection that failed before an answer and only when the call is safe to repeat. Everything thrown
 * comes out as an AdapterError.
 */
export async function discordRestCall<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  options: RestCallOptions,
): Promise<T> {
  return withRetry(
    async () => {
      try {
        return await fn(options.signal);
      } catch (error) {
        throw toDiscordError(error, options.what, options.signal.aborted);
      }
    },
    {
      maxAttempts: 3,
      backoff: { kind: 'exponential', initialMs: 250, maxMs: 2_000, jitter: 0.2 },
      signal: options.signal,
      logger: options.logger,
      label: `discord ${options.what}`,
      shouldRetry: (error: AdapterError) => isSafeToRetry(error, options.idempotent),
    },
  );
}
