import { AdapterError } from '../errors.js';
import { abortError } from './abortable-sleep.js';

export interface TokenBucketOptions {
  /** Burst size: tokens available at once. */
  capacity: number;
  refillPerSecond: number;
  /** Clock in milliseconds (tests may pin it; fake timers also work). */
  now?: () => number;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Classic token bucket with a FIFO of waiters: callers are served in the order they asked, and at most
 * one timer is armed, only while somebody waits.
 */
export class TokenBucket {
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;
  readonly #waiters: Waiter[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Until then (ms on `#now`) nothing waits its way through: the platform said to back off (a 429). */
  #pausedUntil = 0;

  constructor(options: TokenBucketOptions) {
    if (!(Number.isFinite(options.capacity) && options.capacity >= 1)) {
      throw new AdapterError('config_invalid', `TokenBucket capacity must be >= 1, got ${options.capacity}`);
    }
    if (!(Number.isFinite(options.refillPerSecond) && options.refillPerSecond > 0)) {
      throw new AdapterError(
        'config_invalid',
        `TokenBucket refillPerSecond must be > 0, got ${options.refillPerSecond}`,
      );
    }
    this.capacity = options.capacity;
    this.refillPerSecond = options.refillPerSecond;
    this.#now = options.now ?? Date.now;
    this.#tokens = options.capacity;
    this.#last = this.#now();
  }

  /** Tokens available right now (fractional while refilling). */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Callers queued in `take()`. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Takes a token if one is free and nobody is queued ahead; never waits. */
  tryTake(): boolean {
    this.#refill();
    if (this.#waiters.length > 0 || this.#tokens < 1 || this.#now() < this.#pausedUntil) return false;
    this.#tokens -= 1;
    return true;
  }

  /**
   * Spends `count` tokens now, whatever the bucket holds or the pause says: for writes that must not wait
   * (a final reply). Going into debt makes everything after it wait longer instead.
   */
  spend(count = 1): void {
    this.#refill();
    this.#tokens -= count;
  }

  /** Milliseconds until `tryTake` can succeed, ignoring anyone queued. */
  msUntilAvailable(): number {
    this.#refill();
    const forToken = this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) * 1000) / this.refillPerSecond);
    return Math.max(forToken, this.#pausedUntil - this.#now(), 0);
  }

  /** Nothing but `spend` gets a token for `ms` (the platform answered 429 with this retry-after). */
  pauseFor(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#now() + ms);
    this.#disarm();
    this.#arm();
  }

  /** Resolves once a token is ours; rejects with AdapterError 'aborted' if the signal fires first. */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal, 'token wait'));
    if (this.tryTake()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => this.#cancel(waiter);
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
      this.#arm();
    });
  }

  #cancel(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index === -1) return;
    this.#waiters.splice(index, 1);
    waiter.reject(abortError(waiter.signal as AbortSignal, 'token wait'));
    if (this.#waiters.length === 0) this.#disarm();
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#last);
    this.#last = now;
    this.#tokens = Math.min(this.capacity, this.#tokens + (elapsed * this.refillPerSecond) / 1000);
  }

  #drain = (): void => {
    this.#timer = undefined;
    this.#refill();
    while (this.#waiters.length > 0 && this.#tokens >= 1 && this.#now() >= this.#pausedUntil) {
      this.#tokens -= 1;
      const waiter = this.#waiters.shift() as Waiter;
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
    this.#arm();
  };

  #arm(): void {
    if (this.#timer !== undefined || this.#waiters.length === 0) return;
    // Rounded up (in msUntilAvailable) so that the bucket really holds a whole token when the timer fires.
    this.#timer = setTimeout(this.#drain, this.msUntilAvailable());
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
