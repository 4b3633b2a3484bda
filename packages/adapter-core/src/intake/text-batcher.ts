import { AdapterError } from '../errors.js';
import { createConsoleLogger, type Logger } from '../logger.js';

export interface TextBatcherOptions<T> {
  /** Quiet time after a short piece before the batch is handed over. Default 600 ms; 0 turns batching off. */
  delayMs?: number;
  /** Quiet time after a piece at or above `splitThreshold`: the client probably split a paste there. Default 2000 ms. */
  splitDelayMs?: number;
  /** Length at which the platform's clients split long messages (WeCom 3900 chars, Telegram about 4096). */
  splitThreshold: number;
  textOf(item: T): string;
  /** False for things that must not wait or be merged (commands, media-only messages). Default: all batchable. */
  isBatchable?(item: T): boolean;
  /** Receives each batch in arrival order. An error it throws from a timer flush is logged, not rethrown. */
  onFlush(key: string, items: T[]): void;
  /** How `splitThreshold` is measured. Default: `text.length` (UTF-16 code units). */
  lengthOf?(text: string): number;
  /** A batch this big is handed over at once, so a flood cannot grow one without bound. Default 100. */
  maxItems?: number;
  /** Where errors from timer flushes go. Default: JSON lines on stderr. */
  logger?: Logger;
  /** Timer functions, replaceable in tests. */
  timers?: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
}

export interface TextBatcher<T> {
  add(key: string, item: T): void;
  /** Hands over the pending batch of `key` now, if any. */
  flush(key: string): void;
  flushAll(): void;
  pending(key: string): number;
  /**
   * Clears every timer and DROPS pending batches. Call `flushAll()` first to deliver them. After close,
   * `add()` hands each item over alone and at once, so nothing arriving late is lost.
   */
  close(): void;
}

interface Pending<T> {
  items: T[];
  timer: unknown;
  /** Identity of the timer allowed to flush; a superseded timer that still fires finds a newer token. */
  token: object;
}

const defaultTimers = {
  setTimeout: (fn: () => void, ms: number): unknown => setTimeout(fn, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Joins the pieces of a long paste that the user's client split into several messages. Each key (a
 * session) waits for a quiet period, longer when the last piece reached the split threshold, since then
 * another piece is very likely on its way.
 */
export function createTextBatcher<T>(options: TextBatcherOptions<T>): TextBatcher<T> {
  const delayMs = options.delayMs ?? 600;
  const splitDelayMs = options.splitDelayMs ?? 2000;
  const maxItems = options.maxItems ?? 100;
  const lengthOf = options.lengthOf ?? ((text: string) => text.length);
  const timers = options.timers ?? defaultTimers;
  if (!(delayMs >= 0 && splitDelayMs >= 0 && options.splitThreshold > 0 && maxItems >= 1)) {
    throw new AdapterError(
      'config_invalid',
      'Text batcher: delayMs and splitDelayMs must be >= 0, splitThreshold > 0 and maxItems >= 1',
    );
  }
  const batches = new Map<string, Pending<T>>();
  let closed = false;

  const flush = (key: string) => {
    const batch = batches.get(key);
    if (!batch) return;
    batches.delete(key);
    timers.clearTimeout(batch.timer);
    options.onFlush(key, batch.items);
  };

  const onTimer = (key: string, token: object) => {
    const batch = batches.get(key);
    if (!batch || batch.token !== token) return;
    try {
      flush(key);
    } catch (error) {
      // Thrown from a timer it would crash the process; the host hears about it through the log instead.
      (options.logger ?? createConsoleLogger({ level: 'error' })).error('text batch handler threw', {
        key,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };

  return {
    add(key, item) {
      // A delay of 0 turns batching off, as HERMES_<P>_TEXT_BATCH_DELAY_SECONDS=0 does in the Python gateway.
      if (closed || delayMs === 0 || !(options.isBatchable?.(item) ?? true)) {
        flush(key);
        options.onFlush(key, [item]);
        return;
      }
      let batch = batches.get(key);
      if (batch) timers.clearTimeout(batch.timer);
      else {
        batch = { items: [], timer: undefined, token: {} };
        batches.set(key, batch);
      }
      batch.items.push(item);
      if (batch.items.length >= maxItems) return flush(key);
      const token = {};
      const wait = lengthOf(options.textOf(item)) >= options.splitThreshold ? splitDelayMs : delayMs;
      batch.token = token;
      batch.timer = timers.setTimeout(() => onTimer(key, token), wait);
    },
    flush,
    flushAll() {
      for (const key of [...batches.keys()]) flush(key);
    },
    pending(key) {
      return batches.get(key)?.items.length ?? 0;
    },
    close() {
      closed = true;
      for (const batch of batches.values()) timers.clearTimeout(batch.timer);
      batches.clear();
    },
  };
}

/**
 * A text-batching config with its delay applied the Python gateway's way: a delay of 0 turns batching off
 * (no batcher, no timer per message), rather than a batcher waiting 0 ms.
 */
export function withTextBatchingResolved<C extends { textBatching: boolean; textBatchDelayMs: number }>(
  config: C,
): C {
  return config.textBatchDelayMs === 0 && config.textBatching ? { ...config, textBatching: false } : config;
}
