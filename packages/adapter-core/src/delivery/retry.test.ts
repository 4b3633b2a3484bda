import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AdapterError } from '../errors.js';
import { createMemoryLogger } from '../logger.js';
import { withRetry } from './retry.js';

const fixedBackoff = { kind: 'schedule' as const, delaysMs: [100, 200, 400], jitter: 0 };

/** A function that fails with the given errors in turn, then returns 'ok'; records when it was called. */
function flaky(errors: unknown[]) {
  const calls: number[] = [];
  const fn = vi.fn(async (attempt: number) => {
    calls.push(Date.now());
    const error = errors[attempt - 1];
    if (error !== undefined) throw error;
    return 'ok';
  });
  return { fn, calls };
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('withRetry', () => {
  it('returns the first success without waiting', async () => {
    const { fn } = flaky([]);
    await expect(withRetry(fn)).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('retries retryable errors with backoff and logs each retry', async () => {
    const logger = createMemoryLogger();
    const { fn, calls } = flaky([
      new AdapterError('network', 'reset'),
      new AdapterError('server_error', '502'),
    ]);
    const result = withRetry(fn, { backoff: fixedBackoff, logger, label: 'sendMessage' });
    await vi.advanceTimersByTimeAsync(300);
    await expect(result).resolves.toBe('ok');
    expect(calls).toEqual([0, 100, 300]);
    const lines = logger.find('warn', 'sendMessage: attempt');
    expect(lines.map((l) => [l.fields['attempt'], l.fields['code'], l.fields['delayMs']])).toEqual([
      [1, 'network', 100],
      [2, 'server_error', 200],
    ]);
  });

  it('wraps thrown non-AdapterErrors and retries only the retryable ones', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const a = flaky([reset]);
    const ra = withRetry(a.fn, { backoff: fixedBackoff });
    await vi.advanceTimersByTimeAsync(100);
    await expect(ra).resolves.toBe('ok');
    expect(a.fn).toHaveBeenCalledTimes(2);

    const b = flaky([new TypeError('cannot read x of undefined')]);
    const error = await withRetry(b.fn, { backoff: fixedBackoff }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect(error).toMatchObject({ code: 'unknown', message: 'cannot read x of undefined' });
    expect(b.fn).toHaveBeenCalledTimes(1);
  });

  it('does not retry non-retryable errors', async () => {
    const { fn } = flaky([new AdapterError('bad_request', 'chat not found')]);
    await expect(withRetry(fn)).rejects.toMatchObject({ code: 'bad_request' });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('never retries an ambiguous timeout, even when shouldRetry says yes', async () => {
    const timeout = Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' });
    const { fn } = flaky([timeout]);
    const shouldRetry = vi.fn(() => true);
    await expect(withRetry(fn, { shouldRetry })).rejects.toMatchObject({ code: 'timeout_ambiguous' });
    expect(fn).toHaveBeenCalledTimes(1);
    expect(shouldRetry).not.toHaveBeenCalled();
  });

  it('lets shouldRetry veto or allow a retry', async () => {
    const veto = flaky([new AdapterError('network', 'x')]);
    await expect(withRetry(veto.fn, { shouldRetry: () => false })).rejects.toMatchObject({ code: 'network' });
    expect(veto.fn).toHaveBeenCalledTimes(1);

    const allow = flaky([new AdapterError('846605', 'stale req_id')]);
    const result = withRetry(allow.fn, { backoff: fixedBackoff, shouldRetry: (e) => e.code === '846605' });
    await vi.advanceTimersByTimeAsync(100);
    await expect(result).resolves.toBe('ok');
  });

  it("waits exactly the platform's retryAfterMs instead of the backoff", async () => {
    const { fn, calls } = flaky([new AdapterError('rate_limited', '429', { retryAfterMs: 3000 })]);
    const result = withRetry(fn, { backoff: fixedBackoff });
    await vi.advanceTimersByTimeAsync(2999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe('ok');
    expect(calls).toEqual([0, 3000]);
  });

  it('gives up at once when retryAfterMs exceeds maxRetryAfterMs', async () => {
    const logger = createMemoryLogger();
    const limited = new AdapterError('rate_limited', '429', { retryAfterMs: 120_000 });
    const { fn } = flaky([limited]);
    await expect(withRetry(fn, { logger, maxRetryAfterMs: 60_000 })).rejects.toBe(limited);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(logger.find('warn', 'more than the 60000 ms cap')).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops after maxAttempts with the last error', async () => {
    const errors = [1, 2, 3].map((n) => new AdapterError('network', `fail ${n}`));
    const { fn } = flaky([...errors, undefined]);
    const result = withRetry(fn, { backoff: fixedBackoff, maxAttempts: 3 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await result).toBe(errors[2]);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('aborts a pending wait through the signal and leaves no timer', async () => {
    const controller = new AbortController();
    const { fn } = flaky([new AdapterError('network', 'x')]);
    const result = withRetry(fn, { backoff: fixedBackoff, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    await vi.advanceTimersByTimeAsync(50);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    expect(await result).toMatchObject({ code: 'aborted' });
    expect(vi.getTimerCount()).toBe(0);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('does not call fn at all when the signal is already aborted', async () => {
    const { fn } = flaky([]);
    await expect(withRetry(fn, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'aborted' });
    expect(fn).not.toHaveBeenCalled();
  });
});
