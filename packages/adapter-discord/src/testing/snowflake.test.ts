import { describe, expect, it } from 'vitest';
import { createSnowflakes } from './snowflake.js';

describe('createSnowflakes', () => {
  it('gives unique, time-ordered ids of 18-19 digits even within one millisecond', () => {
    const next = createSnowflakes(() => 1_767_225_600_000);
    const ids = Array.from({ length: 5000 }, () => next());
    expect(new Set(ids).size).toBe(5000);
    for (const id of ids) expect(id).toMatch(/^\d{18,19}$/);
    const sorted = [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(sorted).toEqual(ids);
  });
});
