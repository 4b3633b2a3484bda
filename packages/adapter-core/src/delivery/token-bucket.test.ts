import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AdapterError } from '../errors.js';
import { TokenBucket } from './token-bucket.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TokenBucket', () => {
  it('allows a burst of `capacity`, then refills at the given rate', async () => {
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 2 });
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    await vi.advanceTimersByTimeAsync(499);
    expect(bucket.tryTake()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(bucket.tryTake()).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(bucket.available).toBe(3);
  });

  it('serves waiting take() calls in order, one per refill interval', async () => {
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 10 });
    const served: Array<[number, number]> = [];
    const all = [0, 1, 2, 3].map((i) => bucket.take().then(() => served.push([i, Date.now()])));
    await vi.advanceTimersByTimeAsync(300);
    await Promise.all(all);
    expect(served).toEqual([
      [0, 0],
      [1, 100],
      [2, 200],
      [3, 300],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not let tryTake() jump the queue of waiters', async () => {
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1 });
    bucket.tryTake();
    const waiting = bucket.take();
    await vi.advanceTimersByTimeAsync(999);
    expect(bucket.waiting).toBe(1);
    expect(bucket.tryTake()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(bucket.waiting).toBe(0);
  });

  it('rejects an aborted take() with AdapterError aborted and disarms its timer', async () => {
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1 });
    bucket.tryTake();
    const controller = new AbortController();
    const pending = bucket.take(controller.signal).catch((e: unknown) => e);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    expect(await pending).toMatchObject({ code: 'aborted' });
    expect(vi.getTimerCount()).toBe(0);
    // The token that was not taken is still there for the next caller.
    await vi.advanceTimersByTimeAsync(1000);
    expect(bucket.tryTake()).toBe(true);
  });

  it('spend() never waits and its debt delays what comes after', async () => {
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 2 });
    expect([bucket.tryTake(), bucket.tryTake()]).toEqual([true, true]);
    bucket.spend();
    expect(bucket.msUntilAvailable()).toBe(1000);
    await vi.advanceTimersByTimeAsync(999);
    expect(bucket.tryTake()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(bucket.tryTake()).toBe(true);
  });

  it('pauseFor() holds tryTake and waiters until the pause ends, but not spend()', async () => {
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 5 });
    bucket.pauseFor(300);
    expect(bucket.tryTake()).toBe(false);
    expect(bucket.msUntilAvailable()).toBe(300);
    let served = -1;
    const waiting = bucket.take().then(() => {
      served = Date.now();
    });
    bucket.spend();
    await vi.advanceTimersByTimeAsync(300);
    await waiting;
    expect(served).toBe(300);
    expect(bucket.tryTake()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects nonsense configuration with a clear message', () => {
    expect(() => new TokenBucket({ capacity: 0, refillPerSecond: 1 })).toThrow(/capacity must be >= 1/);
    expect(() => new TokenBucket({ capacity: 1, refillPerSecond: 0 })).toThrow(AdapterError);
  });
});
