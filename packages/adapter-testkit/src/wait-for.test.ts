import { describe, expect, it } from 'vitest';
import { waitFor, withTimeout } from './wait-for.js';

describe('waitFor', () => {
  it('resolves with the first truthy value the check returns', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 });
    expect(value).toEqual({ calls: 3 });
  });

  it('times out with a message naming what it waited for', async () => {
    await expect(
      waitFor(() => false, { timeoutMs: 60, intervalMs: 10, what: 'the DM to arrive' }),
    ).rejects.toThrow('Timed out after 60 ms waiting for the DM to arrive');
  });

  it('quotes the last failed check in the timeout message', async () => {
    const check = () => {
      expect(1 + 1).toBe(3);
      return true;
    };
    await expect(waitFor(check, { timeoutMs: 40, intervalMs: 10 })).rejects.toThrow(
      /last check failed with: .*expected 2 to be 3/,
    );
  });

  it('accepts async checks', async () => {
    let ready = false;
    setTimeout(() => {
      ready = true;
    }, 20);
    await expect(waitFor(async () => ready && 'ready', { timeoutMs: 1000 })).resolves.toBe('ready');
  });
});

describe('withTimeout', () => {
  it('passes the value through when the promise settles in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 100, 'x')).resolves.toBe(7);
  });

  it('rejects naming the operation when it does not', async () => {
    await expect(withTimeout(new Promise(() => {}), 30, 'adapter.start()')).rejects.toThrow(
      'Timed out after 30 ms waiting for adapter.start()',
    );
  });
});
