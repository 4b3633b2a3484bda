import { describe, expect, it } from 'vitest';
import { nextMessageNonce } from './nonce.js';

describe('nextMessageNonce', () => {
  it('never repeats and stays within Discord’s 25 characters', () => {
    const nonces = Array.from({ length: 20_000 }, () => nextMessageNonce());
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(Math.max(...nonces.map((n) => n.length))).toBeLessThanOrEqual(25);
    expect(nonces.every((n) => /^[\w-]+$/.test(n))).toBe(true);
  });
});
