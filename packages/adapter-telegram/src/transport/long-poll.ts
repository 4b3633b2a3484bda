import {
  AdapterError,
  type AdapterStatus,
  abortableSleep,
  type ConnectionDrop,
  ConnectionSupervisor,
  type ConnectionSupervisorOptions,
  isAdapterError,
  type Logger,
  type SupervisedConnection,
} from '@hermes/adapter-core';
import type { TelegramBotApi } from '../api/bot-api.js';
import { TELEGRAM_ALLOWED_UPDATES, TELEGRAM_PLATFORM } from '../constants.js';

export interface TelegramLongPollOptions {
  api: TelegramBotApi;
  logger: Logger;
  pollTimeoutSeconds: number;
  pollLimit: number;
  reconnect: { initialMs: number; maxMs: number };
  /** The offset to ask for next: everything below it is accounted for and persisted. */
  offset(): number;
  /** Runs once per connection before the first poll (identity, deleteWebhook, replay of held updates). */
  prepare(signal: AbortSignal): Promise<void>;
  /**
   * Hands one batch over synchronously and persists the new offset; the next poll waits for the returned
   * promise. A throw or rejection (the state could not be saved) ends the connection, so nothing is
   * confirmed to Telegram that was not recorded first.
   */
  onUpdates(updates: unknown[]): Promise<void> | undefined;
  onStatus(status: AdapterStatus, detail?: string): void;
  /** Telegram answered a getUpdates call (with updates or none, or a 429): the link is alive. */
  onHeartbeat(): void;
  signal?: AbortSignal;
}

/** Credentials and configuration a retry cannot repair. */
function isFatal(error: unknown): boolean {
  return (
    isAdapterError(error) && ['auth_failed', 'config_invalid', 'forbidden', 'not_found'].includes(error.code)
  );
}

/**
 * Long polling as a supervised connection: a connection is "online" once a getUpdates call answered, and
 * "dropped" when one fails (reset, 5xx, garbage, timeout), after which core's supervisor reconnects with
 * backoff. A 429 on getUpdates is waited out in place. The offset sent with each call confirms to
 * Telegram only what onUpdates() already persisted.
 */
export function createTelegramLongPoll(o: TelegramLongPollOptions): ConnectionSupervisor {
  const poll = async (timeoutSeconds: number, signal: AbortSignal) => {
    try {
      const result = await o.api.call(
        'getUpdates',
        {
          offset: o.offset(),
          limit: o.pollLimit,
          timeout: timeoutSeconds,
          allowed_updates: TELEGRAM_ALLOWED_UPDATES,
        },
        { signal, timeoutMs: timeoutSeconds * 1000 + 15_000 },
      );
      o.onHeartbeat();
      return result;
    } catch (error) {
      if (isAdapterError(error) && error.code === 'rate_limited') o.onHeartbeat();
      throw error;
    }
  };

  const asBatch = (result: unknown): unknown[] => {
    if (Array.isArray(result)) return result;
    throw new AdapterError('protocol', 'Telegram getUpdates answered with something that is not a list', {
      platform: TELEGRAM_PLATFORM,
    });
  };

  const run = async (first: unknown[], signal: AbortSignal): Promise<ConnectionDrop> => {
    let batch = first;
    for (;;) {
      await o.onUpdates(batch);
      if (signal.aborted) return { reason: 'closed' };
      try {
        batch = asBatch(await poll(o.pollTimeoutSeconds, signal));
      } catch (error) {
        if (signal.aborted) return { reason: 'closed' };
        if (isAdapterError(error) && error.code === 'rate_limited') {
          const waitMs = error.retryAfterMs ?? 1_000;
          o.logger.warn(`Telegram getUpdates rate limited; polling again in ${waitMs} ms`, {
            retryAfterMs: waitMs,
          });
          batch = [];
          await abortableSleep(waitMs, signal, 'getUpdates retry_after').catch(() => undefined);
          continue;
        }
        return {
          reason: `getUpdates failed: ${isAdapterError(error) ? error.message : String(error)}`,
          error,
        };
      }
    }
  };

  const connect = async (signal: AbortSignal): Promise<SupervisedConnection> => {
    await o.prepare(signal);
    // A short first poll proves the link works and picks up the backlog straight away.
    const first = asBatch(await poll(0, signal));
    const live = new AbortController();
    const closed = run(first, live.signal).catch((error: unknown) => ({
      reason: `update handling failed: ${error instanceof Error ? error.message : String(error)}`,
      error,
    }));
    return { closed, close: () => live.abort() };
  };

  const options: ConnectionSupervisorOptions = {
    name: 'telegram long polling',
    logger: o.logger,
    connect,
    backoff: {
      kind: 'exponential',
      initialMs: o.reconnect.initialMs,
      maxMs: o.reconnect.maxMs,
      factor: 2,
      jitter: 0.2,
    },
    isFatal,
    onStatus: o.onStatus,
  };
  if (o.signal) options.signal = o.signal;
  return new ConnectionSupervisor(options);
}
