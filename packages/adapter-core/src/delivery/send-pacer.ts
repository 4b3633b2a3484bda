import { AdapterError, toAdapterError } from '../errors.js';
import type { Logger } from '../logger.js';
import { abortableSleep } from './abortable-sleep.js';
import { type RetryOptions, withRetry } from './retry.js';
import { TokenBucket } from './token-bucket.js';

export interface RateLimit {
  capacity: number;
  refillPerSecond: number;
}

export interface SendPacerOptions {
  /** Bucket per chat (e.g. Telegram: about 1 message per second per chat). */
  perChat?: RateLimit;
  /** Bucket shared by every chat of the bot (e.g. Telegram: 30 per second). */
  global?: RateLimit;
  /** How each call is retried; a 429's `retryAfterMs` also pauses the chat. */
  retry?: RetryOptions;
  logger?: Logger;
}

export interface SendPacer {
  /** Queues `fn` behind earlier calls for the same chat and runs it when the chat and the bot have budget. */
  run<T>(chatKey: string, fn: () => Promise<T>): Promise<T>;
  /** Holds every call for this chat (queued or being retried) for `ms`; other chats go on. */
  pause(chatKey: string, ms: number): void;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  /** Rejects queued work with AdapterError 'aborted' and cancels waits; a call already running finishes. */
  close(): void;
}

interface Job {
  fn: () => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Lane {
  key: string;
  queue: Job[];
  running: boolean;
  pausedUntil: number;
  bucket: TokenBucket | undefined;
  /** The lane's retry options, built once rather than once per call. */
  retry: RetryOptions;
}

/** Lanes at rest are kept (their bucket state matters) until the map grows past this, then swept. */
const LANE_SWEEP_START = 1024;

/**
 * Per-chat FIFO lanes in front of the platform: order within a chat is kept, a paused or slow chat never
 * holds another one back, and one global bucket bounds the bot as a whole.
 */
export function createSendPacer(options: SendPacerOptions = {}): SendPacer {
  const lanes = new Map<string, Lane>();
  const global = options.global ? new TokenBucket(options.global) : undefined;
  const closing = new AbortController();
  // Waits end on close() and, if the caller gave one, on the retry signal too.
  const userSignal = options.retry?.signal;
  const stopped = userSignal ? AbortSignal.any([closing.signal, userSignal]) : closing.signal;
  const logger = options.retry?.logger ?? options.logger;
  const idleWaiters: Array<() => void> = [];
  let outstanding = 0;
  let sweepAt = LANE_SWEEP_START;

  const settleOne = () => {
    outstanding -= 1;
    if (outstanding === 0) for (const wake of idleWaiters.splice(0)) wake();
  };

  const atRest = (lane: Lane) =>
    !lane.running &&
    lane.queue.length === 0 &&
    lane.pausedUntil <= Date.now() &&
    (!lane.bucket || lane.bucket.available >= lane.bucket.capacity);

  const laneFor = (key: string): Lane => {
    let lane = lanes.get(key);
    if (lane) return lane;
    if (lanes.size >= sweepAt) {
      for (const [k, l] of lanes) if (atRest(l)) lanes.delete(k);
      sweepAt = Math.max(LANE_SWEEP_START, lanes.size * 2);
    }
    const retry: RetryOptions = { label: `send to chat ${key}`, ...options.retry, signal: stopped };
    if (logger) retry.logger = logger;
    lane = {
      key,
      queue: [],
      running: false,
      pausedUntil: 0,
      bucket: options.perChat ? new TokenBucket(options.perChat) : undefined,
      retry,
    };
    lanes.set(key, lane);
    return lane;
  };

  const pause = (key: string, ms: number) => {
    if (stopped.aborted || !(ms > 0)) return;
    const lane = laneFor(key);
    lane.pausedUntil = Math.max(lane.pausedUntil, Date.now() + ms);
  };

  const waitUntilResumed = async (lane: Lane) => {
    // A loop, because pause() may extend the pause while we sleep.
    for (let left = lane.pausedUntil - Date.now(); left > 0; left = lane.pausedUntil - Date.now()) {
      await abortableSleep(left, stopped, `paused chat ${lane.key}`);
    }
  };

  const attempt = async (lane: Lane, fn: () => Promise<unknown>) => {
    // Each wait only when there is something to wait for: an await costs a turn of the microtask queue
    // and a promise, per call, on every send of a busy bot.
    if (lane.pausedUntil > Date.now()) await waitUntilResumed(lane);
    // A free token is taken on the spot; take() (a promise) only when the bucket makes the send wait.
    if (lane.bucket && (stopped.aborted || !lane.bucket.tryTake())) await lane.bucket.take(stopped);
    if (global && (stopped.aborted || !global.tryTake())) await global.take(stopped);
    try {
      return await fn();
    } catch (raw) {
      const error = toAdapterError(raw);
      if (error.code === 'rate_limited' && error.retryAfterMs !== undefined) {
        logger?.warn(`rate limited on chat ${lane.key}, pausing it for ${error.retryAfterMs} ms`, {
          chat: lane.key,
          retryAfterMs: error.retryAfterMs,
        });
        pause(lane.key, error.retryAfterMs);
      }
      throw error;
    }
  };

  const drive = async (lane: Lane) => {
    lane.running = true;
    // `fn` must not run on the stack of the run() that started the lane (callers queue several parts
    // in one go, and set up their own state after run() returned).
    await undefined;
    for (let job = lane.queue.shift(); job; job = lane.queue.shift()) {
      const fn = job.fn;
      try {
        job.resolve(await withRetry(() => attempt(lane, fn), lane.retry));
      } catch (error) {
        job.reject(error);
      } finally {
        settleOne();
      }
    }
    lane.running = false;
  };

  return {
    run<T>(chatKey: string, fn: () => Promise<T>): Promise<T> {
      if (stopped.aborted) {
        return Promise.reject(new AdapterError('aborted', 'the send pacer is closed'));
      }
      const lane = laneFor(chatKey);
      const done = new Promise<T>((resolve, reject) => {
        lane.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      });
      outstanding += 1;
      if (!lane.running) void drive(lane);
      return done;
    },
    pause,
    idle() {
      if (outstanding === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    close() {
      if (closing.signal.aborted) return;
      closing.abort(new AdapterError('aborted', 'the send pacer was closed'));
      for (const lane of lanes.values()) {
        for (const job of lane.queue.splice(0)) {
          job.reject(
            new AdapterError('aborted', `the send pacer was closed before this call to chat ${lane.key} ran`),
          );
          settleOne();
        }
      }
    },
  };
}
