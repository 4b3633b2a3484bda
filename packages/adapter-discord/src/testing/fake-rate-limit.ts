import { seededRandom } from '@hermes/adapter-core';
/** Discord-like limits the fake can enforce on message creates. */
export interface FakeRateLimitOptions {
  /** Per-channel bucket: `limit` creates per `windowMs` (Discord: about 5 per 5 s). Off when undefined. */
  perChannel?: { limit: number; windowMs: number };
  /** Extra random 429s on message creates, with this probability and pause (a "storm"). */
  storm?: { probability: number; retryAfterMs: number; seed?: number };
}

export interface RateLimitVerdict {
  /** Headers every answer on this route carries. */
  headers: Record<string, string>;
  /** Set when the request must be refused with 429. */
  retryAfterSeconds?: number;
  scope?: 'user' | 'shared';
}

interface Bucket {
  remaining: number;
  resetAt: number;
}

/** The per-channel message bucket and the storm, with the X-RateLimit-* headers discord.js paces by. */
export class FakeRateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  #random: () => number = Math.random;
  limited = 0;

  constructor(private options: FakeRateLimitOptions = {}) {
    this.configure(options);
  }

  configure(options: FakeRateLimitOptions): void {
    this.options = options;
    this.#buckets.clear();
    this.#random = options.storm?.seed !== undefined ? seededRandom(options.storm.seed) : Math.random;
  }

  /** Decides about one message create in `channelId` and uses up a slot when it is let through. */
  check(channelId: string, now = Date.now()): RateLimitVerdict {
    const per = this.options.perChannel;
    const headers: Record<string, string> = {};
    let bucket: Bucket | undefined;
    if (per) {
      bucket = this.#buckets.get(channelId);
      if (!bucket || bucket.resetAt <= now) {
        bucket = { remaining: per.limit, resetAt: now + per.windowMs };
        this.#buckets.set(channelId, bucket);
      }
      const resetAfter = Math.max(0, bucket.resetAt - now) / 1000;
      Object.assign(headers, {
        'x-ratelimit-limit': String(per.limit),
        'x-ratelimit-reset': (bucket.resetAt / 1000).toFixed(3),
        'x-ratelimit-reset-after': resetAfter.toFixed(3),
        'x-ratelimit-bucket': `fake-messages-${channelId}`,
      });
      if (bucket.remaining <= 0) {
        this.limited += 1;
        headers['x-ratelimit-remaining'] = '0';
        return { headers, retryAfterSeconds: resetAfter, scope: 'user' };
      }
    }
    const storm = this.options.storm;
    if (storm && this.#random() < storm.probability) {
      this.limited += 1;
      if (bucket) headers['x-ratelimit-remaining'] = String(bucket.remaining);
      return { headers, retryAfterSeconds: storm.retryAfterMs / 1000, scope: 'shared' };
    }
    if (bucket) {
      bucket.remaining -= 1;
      headers['x-ratelimit-remaining'] = String(bucket.remaining);
    }
    return { headers };
  }
}
