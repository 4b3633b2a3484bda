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

/** Per stop signal: the controllers of the calls in flight under it, aborted together when it fires. */
const inFlight = new WeakMap<AbortSignal, Set<AbortController>>();

/**
 * A signal of its own for one attempt, aborted when `parent` is. @discordjs/rest 2.6.3 adds an abort
 * listener to the signal of every request and never removes it: given the adapter's long-lived stop
 * signal, listeners piled up by the thousand (a leak, and Node's addEventListener walks the whole list,
 * so every send got slower). Per-call signals die with their call; the parent holds one listener.
 */
async function withCallSignal<T>(parent: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  let live = inFlight.get(parent);
  if (!live) {
    const set = new Set<AbortController>();
    live = set;
    inFlight.set(parent, set);
    parent.addEventListener(
      'abort',
      () => {
        for (const controller of set) controller.abort(parent.reason);
        set.clear();
      },
      { once: true },
    );
  }
  const controller = new AbortController();
  if (parent.aborted) controller.abort(parent.reason);
  else live.add(controller);
  try {
    return await fn(controller.signal);
  } finally {
    live.delete(controller);
  }
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
        return await withCallSignal(options.signal, fn);
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
