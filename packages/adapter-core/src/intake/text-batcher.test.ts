import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryLogger } from '../logger.js';
import { createTextBatcher, type TextBatcherOptions } from './text-batcher.js';

interface Piece {
  text: string;
  media?: boolean;
}

function setup(overrides: Partial<TextBatcherOptions<Piece>> = {}) {
  const flushes: Array<{ key: string; texts: string[]; at: number }> = [];
  const batcher = createTextBatcher<Piece>({
    splitThreshold: 100,
    textOf: (p) => p.text,
    isBatchable: (p) => !p.media && !p.text.startsWith('/'),
    onFlush: (key, items) => flushes.push({ key, texts: items.map((i) => i.text), at: Date.now() }),
    ...overrides,
  });
  return { batcher, flushes };
}

const long = (n = 100) => 'x'.repeat(n);

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createTextBatcher', () => {
  it('delayMs 0 turns batching off: every piece passes alone and at once, even a long one, arming no timer', () => {
    const { batcher, flushes } = setup({ delayMs: 0 });
    batcher.add('chat', { text: 'a' });
    batcher.add('chat', { text: long() });
    batcher.add('chat', { text: 'b' });
    expect(flushes.map((f) => f.texts)).toEqual([['a'], [long()], ['b']]);
    expect(vi.getTimerCount()).toBe(0);
    expect(batcher.pending('chat')).toBe(0);
  });

  it('joins pieces that arrive within the delay into one batch', async () => {
    const { batcher, flushes } = setup();
    batcher.add('s1', { text: 'one' });
    await vi.advanceTimersByTimeAsync(100);
    batcher.add('s1', { text: 'two' });
    await vi.advanceTimersByTimeAsync(100);
    batcher.add('s1', { text: 'three' });
    expect(batcher.pending('s1')).toBe(3);
    await vi.advanceTimersByTimeAsync(599);
    expect(flushes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(flushes).toEqual([{ key: 's1', texts: ['one', 'two', 'three'], at: 800 }]);
  });

  it('restarts the timer on every arrival', async () => {
    const { batcher, flushes } = setup();
    batcher.add('s1', { text: 'a' });
    await vi.advanceTimersByTimeAsync(500);
    batcher.add('s1', { text: 'b' });
    await vi.advanceTimersByTimeAsync(500);
    expect(flushes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(flushes.map((f) => f.at)).toEqual([1100]);
  });

  it('waits splitDelayMs after a piece at the split threshold, delayMs after a short one', async () => {
    const { batcher, flushes } = setup({ delayMs: 600, splitDelayMs: 2000 });
    batcher.add('s1', { text: long(100) });
    await vi.advanceTimersByTimeAsync(1999);
    expect(flushes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(flushes.map((f) => f.at)).toEqual([2000]);

    // The second half of a split paste arriving late is still joined: the long wait covered it.
    batcher.add('s2', { text: long(150) });
    await vi.advanceTimersByTimeAsync(1500);
    batcher.add('s2', { text: 'the rest' });
    await vi.advanceTimersByTimeAsync(599);
    expect(flushes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(flushes[1]).toEqual({ key: 's2', texts: [long(150), 'the rest'], at: 4100 });

    // Just below the threshold is a normal piece.
    batcher.add('s3', { text: long(99) });
    await vi.advanceTimersByTimeAsync(600);
    expect(flushes[2]?.at).toBe(4700);
  });

  it('keeps keys apart', async () => {
    const { batcher, flushes } = setup();
    batcher.add('alice', { text: 'a1' });
    batcher.add('bob', { text: 'b1' });
    await vi.advanceTimersByTimeAsync(300);
    batcher.add('alice', { text: 'a2' });
    await vi.advanceTimersByTimeAsync(300);
    expect(flushes).toEqual([{ key: 'bob', texts: ['b1'], at: 600 }]);
    await vi.advanceTimersByTimeAsync(300);
    expect(flushes[1]).toEqual({ key: 'alice', texts: ['a1', 'a2'], at: 900 });
  });

  it('flushes the pending batch before a non-batchable item, which passes alone, in order', async () => {
    const { batcher, flushes } = setup();
    batcher.add('s1', { text: 'hello' });
    batcher.add('s1', { text: 'there' });
    batcher.add('s1', { text: '/stop' });
    batcher.add('s1', { text: '', media: true });
    expect(flushes.map((f) => f.texts)).toEqual([['hello', 'there'], ['/stop'], ['']]);
    expect(batcher.pending('s1')).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(flushes).toHaveLength(3);
  });

  it('cleans its state and timers up after each flush', async () => {
    const { batcher, flushes } = setup();
    for (let i = 0; i < 50; i++) batcher.add(`k${i}`, { text: 'x' });
    expect(vi.getTimerCount()).toBe(50);
    await vi.advanceTimersByTimeAsync(600);
    expect(flushes).toHaveLength(50);
    expect(vi.getTimerCount()).toBe(0);
    expect(batcher.pending('k0')).toBe(0);
  });

  it('never lets a superseded timer flush, even if clearing it came too late', async () => {
    // clearTimeout that does nothing stands in for a timer callback that was already queued.
    const fired: number[] = [];
    const timers = {
      setTimeout: (fn: () => void, ms: number) =>
        setTimeout(() => {
          fired.push(Date.now());
          fn();
        }, ms),
      clearTimeout: () => {},
    };
    const { batcher, flushes } = setup({ timers });
    batcher.add('s1', { text: 'a' });
    await vi.advanceTimersByTimeAsync(500);
    batcher.add('s1', { text: 'b' });
    await vi.advanceTimersByTimeAsync(100);
    expect(fired).toEqual([600]);
    expect(flushes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(500);
    expect(flushes).toEqual([{ key: 's1', texts: ['a', 'b'], at: 1100 }]);

    // A stale timer must not flush a newer batch of the same key either.
    batcher.add('s1', { text: 'c' });
    batcher.flush('s1');
    await vi.advanceTimersByTimeAsync(300);
    batcher.add('s1', { text: 'd' });
    await vi.advanceTimersByTimeAsync(599);
    expect(fired).toContain(1700); // c's stale timer went off in the middle of d's wait
    expect(flushes.map((f) => f.texts)).toEqual([['a', 'b'], ['c']]);
    await vi.advanceTimersByTimeAsync(1);
    expect(flushes.map((f) => f.texts)).toEqual([['a', 'b'], ['c'], ['d']]);
  });

  it('flush() and flushAll() hand over at once', () => {
    const { batcher, flushes } = setup();
    batcher.add('a', { text: '1' });
    batcher.add('b', { text: '2' });
    batcher.flush('a');
    batcher.flush('nothing-here');
    expect(flushes.map((f) => f.key)).toEqual(['a']);
    batcher.flushAll();
    expect(flushes.map((f) => f.key)).toEqual(['a', 'b']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close() drops pending batches and timers; later items pass straight through', async () => {
    const { batcher, flushes } = setup();
    batcher.add('a', { text: 'pending' });
    batcher.close();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(flushes).toHaveLength(0);
    batcher.add('a', { text: 'late' });
    expect(flushes.map((f) => f.texts)).toEqual([['late']]);
  });

  it('hands a batch over once it reaches maxItems', () => {
    const { batcher, flushes } = setup({ maxItems: 3 });
    for (const t of ['1', '2', '3', '4']) batcher.add('a', { text: t });
    expect(flushes.map((f) => f.texts)).toEqual([['1', '2', '3']]);
    expect(batcher.pending('a')).toBe(1);
  });

  it('logs an error thrown by onFlush from a timer instead of crashing', async () => {
    const logger = createMemoryLogger();
    const { batcher } = setup({
      logger,
      onFlush: () => {
        throw new Error('host exploded');
      },
    });
    batcher.add('a', { text: 'x' });
    await vi.advanceTimersByTimeAsync(600);
    expect(logger.find('error', 'host exploded')).toHaveLength(1);
    expect(batcher.pending('a')).toBe(0);
  });

  it('rejects nonsense options', () => {
    expect(() => setup({ splitThreshold: 0 })).toThrow(/splitThreshold/);
  });
});
