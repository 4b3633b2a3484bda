import { describe, expect, it } from 'vitest';
import { SeenWindow } from './seen-window.js';

describe('SeenWindow', () => {
  it('starts catch-ups after the start second, never before it, even with the overlap', () => {
    const seen = new SeenWindow(5_000);
    expect(seen.from).toBeUndefined();
    seen.start(100_000);
    expect(seen.from).toBe(100_000);
    seen.note('a', 200_000);
    expect(seen.from).toBe(195_000);
    seen.start(900_000);
    expect(seen.from).toBe(195_000);
  });

  it('remembers posts inside the overlap and forgets older ones', () => {
    const seen = new SeenWindow(5_000);
    seen.start(0);
    for (let i = 0; i < 100; i += 1) seen.note(`old${i}`, 10_000 + i);
    seen.note('new', 30_000);
    expect(seen.handled('new')).toBe(true);
    expect(seen.handled('old5')).toBe(false);
    seen.note('late-but-inside', 26_000);
    expect(seen.handled('late-but-inside')).toBe(true);
  });
});
