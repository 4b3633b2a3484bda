import { describe, expect, it } from 'vitest';
import { AdapterError } from '../errors.js';
import {
  type BackoffPolicy,
  backoffDelay,
  validateBackoffPolicy,
  WECOM_RECONNECT_BACKOFF,
} from './backoff.js';

const middle = () => 0.5;

describe('backoffDelay', () => {
  it('walks a schedule and sticks at its last value', () => {
    const delays = [1, 2, 3, 4, 5, 6, 50].map((n) => backoffDelay(WECOM_RECONNECT_BACKOFF, n, middle));
    expect(delays).toEqual([2000, 5000, 10000, 30000, 60000, 60000, 60000]);
  });

  it('grows exponentially up to the cap', () => {
    const policy: BackoffPolicy = { kind: 'exponential', initialMs: 100, maxMs: 1000, factor: 3, jitter: 0 };
    expect([1, 2, 3, 4, 5, 2000].map((n) => backoffDelay(policy, n))).toEqual([
      100, 300, 900, 1000, 1000, 1000,
    ]);
  });

  it('keeps jittered delays within ±jitter of the base', () => {
    const policy: BackoffPolicy = { kind: 'schedule', delaysMs: [10_000], jitter: 0.25 };
    expect(backoffDelay(policy, 1, () => 0)).toBe(7500);
    expect(backoffDelay(policy, 1, () => 1)).toBe(12_500);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const d = backoffDelay(policy, 1);
      expect(d).toBeGreaterThanOrEqual(7500);
      expect(d).toBeLessThanOrEqual(12_500);
      seen.add(d);
    }
    // Math.random really spreads the delays; 500 identical values would mean the jitter is dead.
    expect(seen.size).toBeGreaterThan(50);
  });

  it('treats attempt numbers below 1 as the first attempt and an empty schedule as no wait', () => {
    expect(backoffDelay(WECOM_RECONNECT_BACKOFF, 0, middle)).toBe(2000);
    expect(backoffDelay({ kind: 'schedule', delaysMs: [] }, 3, middle)).toBe(0);
  });

  it('rejects policies that would misbehave, naming the field', () => {
    expect(() => validateBackoffPolicy({ kind: 'schedule', delaysMs: [1, -1] })).toThrow(/delaysMs/);
    expect(() => validateBackoffPolicy({ kind: 'exponential', initialMs: 100, maxMs: 10 })).toThrow(/maxMs/);
    expect(() => validateBackoffPolicy({ kind: 'schedule', delaysMs: [1], jitter: 2 })).toThrow(AdapterError);
  });
});
