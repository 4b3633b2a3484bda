import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AdapterError } from '../errors.js';
import { createMemoryLogger } from '../logger.js';
import { createSendPacer } from './send-pacer.js';

function seeded(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

const rateLimited = (ms: number) =>
  new AdapterError('rate_limited', 'Too Many Requests', { retryAfterMs: ms });
const noJitter = { kind: 'schedule' as const, delaysMs: [50], jitter: 0 };

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createSendPacer', () => {
  it('keeps order per chat under random 429s, with every message delivered exactly once', async () => {
    const rand = seeded(7);
    const logger = createMemoryLogger();
    const pacer = createSendPacer({
      perChat: { capacity: 3, refillPerSecond: 5 },
      global: { capacity: 10, refillPerSecond: 20 },
      retry: { maxAttempts: 100, backoff: noJitter },
      logger,
    });
    const delivered = new Map<string, number[]>();
    const calls = new Map<string, number>();
    let limited = 0;
    const chats = ['a', 'b', 'c', 'd'];
    const results: Array<Promise<string>> = [];
    for (let i = 0; i < 25; i++) {
      for (const chat of chats) {
        results.push(
          pacer.run(chat, async () => {
            calls.set(`${chat}${i}`, (calls.get(`${chat}${i}`) ?? 0) + 1);
            await new Promise((r) => setTimeout(r, Math.floor(rand() * 30)));
            if (rand() < 0.3) {
              limited += 1;
              throw rateLimited(100 + Math.floor(rand() * 900));
            }
            delivered.set(chat, [...(delivered.get(chat) ?? []), i]);
            return `${chat}${i}`;
          }),
        );
      }
    }
    const idle = pacer.idle();
    await vi.advanceTimersByTimeAsync(120_000);
    await idle;
    const values = await Promise.all(results);

    const expected = Array.from({ length: 25 }, (_, i) => i);
    for (const chat of chats) expect(delivered.get(chat)).toEqual(expected);
    expect(values).toHaveLength(100);
    expect(new Set(values).size).toBe(100);
    // Each call was made once per 429 it got plus the one success: no duplicate after a success.
    const totalCalls = [...calls.values()].reduce((a, b) => a + b, 0);
    expect(totalCalls).toBe(100 + limited);
    expect(limited).toBeGreaterThan(10);
    expect(logger.find('warn', 'rate limited on chat').length).toBe(limited);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('pauses only the chat that got a 429; other chats go on, then the same call is retried', async () => {
    const pacer = createSendPacer({ retry: { backoff: noJitter } });
    const log: string[] = [];
    let first = true;
    const a1 = pacer.run('a', async () => {
      log.push(`a1@${Date.now()}`);
      if (first) {
        first = false;
        throw rateLimited(10_000);
      }
      return 'a1';
    });
    const a2 = pacer.run('a', async () => {
      log.push(`a2@${Date.now()}`);
      return 'a2';
    });
    const b1 = pacer.run('b', async () => {
      log.push(`b1@${Date.now()}`);
      return 'b1';
    });
    await vi.advanceTimersByTimeAsync(0);
    await expect(b1).resolves.toBe('b1');
    expect(log).toEqual(['a1@0', 'b1@0']);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(log).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await expect(a1).resolves.toBe('a1');
    await expect(a2).resolves.toBe('a2');
    expect(log).toEqual(['a1@0', 'b1@0', 'a1@10000', 'a2@10000']);
  });

  it('does not let a slow call in one chat hold back another chat', async () => {
    const pacer = createSendPacer();
    let release!: () => void;
    const slow = pacer.run('slow', () => new Promise<string>((r) => (release = () => r('slow'))));
    const fast = await pacer.run('fast', async () => 'fast');
    expect(fast).toBe('fast');
    release();
    await expect(slow).resolves.toBe('slow');
  });

  it('paces with the per-chat and the shared global bucket', async () => {
    const pacer = createSendPacer({
      perChat: { capacity: 1, refillPerSecond: 1 },
      global: { capacity: 2, refillPerSecond: 4 },
    });
    const times: Record<string, number[]> = { a: [], b: [], c: [] };
    const jobs = ['a', 'b', 'c'].flatMap((chat) =>
      [0, 1].map(() => pacer.run(chat, async () => void times[chat]?.push(Date.now()))),
    );
    await vi.advanceTimersByTimeAsync(5000);
    await Promise.all(jobs);
    // Per chat: one per second. Globally: a burst of 2, then one every 250 ms, first come first served.
    expect(times).toEqual({ a: [0, 1000], b: [0, 1000], c: [250, 1250] });
  });

  it('pause() holds one chat for the given time', async () => {
    const pacer = createSendPacer();
    pacer.pause('a', 3000);
    const at: Record<string, number> = {};
    const stamp = (chat: string) => async () => {
      at[chat] = Date.now();
    };
    const a = pacer.run('a', stamp('a'));
    const b = pacer.run('b', stamp('b'));
    await vi.advanceTimersByTimeAsync(3000);
    await Promise.all([a, b]);
    expect(at).toEqual({ a: 3000, b: 0 });
  });

  it('rejects a call that failed for good but still runs the next one in that chat', async () => {
    const pacer = createSendPacer();
    const failed = pacer.run('a', async () => {
      throw new AdapterError('bad_request', 'message is too long');
    });
    const next = pacer.run('a', async () => 'next');
    await expect(failed).rejects.toMatchObject({ code: 'bad_request' });
    await expect(next).resolves.toBe('next');
  });

  it('gives up on a 429 longer than the cap, but keeps the chat paused for it', async () => {
    const pacer = createSendPacer({ retry: { maxRetryAfterMs: 5000 } });
    const first = pacer.run('a', async () => {
      throw rateLimited(20_000);
    });
    let nextAt = -1;
    const next = pacer.run('a', async () => {
      nextAt = Date.now();
    });
    await expect(first).rejects.toMatchObject({ code: 'rate_limited', retryAfterMs: 20_000 });
    await vi.advanceTimersByTimeAsync(20_000);
    await next;
    expect(nextAt).toBe(20_000);
  });

  it('close() rejects queued and waiting work with aborted, lets a running call finish, leaves no timer', async () => {
    const pacer = createSendPacer({ perChat: { capacity: 1, refillPerSecond: 0.1 } });
    let release!: () => void;
    const running = pacer.run('a', () => new Promise<string>((r) => (release = () => r('done'))));
    const queued = pacer.run('a', async () => 'never');
    const waitingForToken = pacer.run('b', async () => 'b1');
    const b2 = pacer.run('b', async () => 'never');
    await vi.advanceTimersByTimeAsync(0);
    await expect(waitingForToken).resolves.toBe('b1');
    await vi.advanceTimersByTimeAsync(100);
    pacer.close();
    await expect(queued).rejects.toMatchObject({ code: 'aborted' });
    await expect(b2).rejects.toMatchObject({ code: 'aborted' });
    await expect(pacer.run('c', async () => 'x')).rejects.toMatchObject({ code: 'aborted' });
    release();
    await expect(running).resolves.toBe('done');
    await pacer.idle();
    expect(vi.getTimerCount()).toBe(0);
  });
});
