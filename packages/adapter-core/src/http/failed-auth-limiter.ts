import { TokenBucket } from '../delivery/token-bucket.js';
import { RecentMap } from '../recent-map.js';

export interface FailedAuthLimiterOptions {
  perMinute: number;
  now?: () => number;
  /** Addresses remembered at once; the least recently failing is forgotten first. */
  maxAddresses?: number;
}

/**
 * Failed signature checks per client address. Kept apart from the routes' budgets so that junk from
 * anyone cannot use up a route's budget and block its real sender; over its budget, an address gets
 * 429 for further failures (a request from it that does verify is still served).
 */
export class FailedAuthLimiter {
  readonly perMinute: number;
  readonly #now: (() => number) | undefined;
  // The least recently failing address is forgotten first.
  readonly #buckets: RecentMap<TokenBucket>;

  constructor(options: FailedAuthLimiterOptions) {
    this.perMinute = options.perMinute;
    this.#now = options.now;
    this.#buckets = new RecentMap(options.maxAddresses ?? 10_000);
  }

  /** Counts one failure from `address`; false when the address was already over its budget. */
  tryFail(address: string): boolean {
    const bucket =
      this.#buckets.get(address) ??
      new TokenBucket({
        capacity: this.perMinute,
        refillPerSecond: this.perMinute / 60,
        ...(this.#now ? { now: this.#now } : {}),
      });
    this.#buckets.set(address, bucket);
    return bucket.tryTake();
  }

  /** Seconds until the address may fail again without a 429. */
  get retryAfterSeconds(): number {
    return Math.ceil(60 / this.perMinute);
  }
}
