import { describe, expect, it } from 'vitest';
import { DISCORD_NONCE_MAX, keyedMessageNonce, nextMessageNonce } from './nonce.js';

describe('nextMessageNonce', () => {
  it('never repeats and stays within Discord’s 25 characters', () => {
    const nonces = Array.from({ length: 20_000 }, () => nextMessageNonce());
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(Math.max(...nonces.map((n) => n.length))).toBeLessThanOrEqual(25);
    expect(nonces.every((n) => /^[\w-]+$/.test(n))).toBe(true);
  });
});

describe('keyedMessageNonce', () => {
  it('is the key and the part index while that fits', () => {
    expect(keyedMessageNonce('h-2n9c-lq8x0v2k', 0)).toBe('h-2n9c-lq8x0v2k.0');
    expect(keyedMessageNonce('h-2n9c-lq8x0v2k', 12)).toBe('h-2n9c-lq8x0v2k.12');
    // A 20-character key (the host's longest) keeps the plain form up to part 9 999.
    expect(keyedMessageNonce('k'.repeat(20), 9_999)).toBe(`${'k'.repeat(20)}.9999`);
  });

  it('is a stable 25-character hash when the plain form is too long or not plain ASCII', () => {
    const long = 'x'.repeat(24);
    const first = keyedMessageNonce(long, 0);
    expect(first).toHaveLength(DISCORD_NONCE_MAX);
    expect(first).toMatch(/^[\w-]+$/);
    expect(keyedMessageNonce(long, 0)).toBe(first);
    expect(keyedMessageNonce(long, 1)).not.toBe(first);
    expect(keyedMessageNonce('clé', 0)).toMatch(/^[\w-]{25}$/);
    expect(keyedMessageNonce('a key', 0)).toMatch(/^[\w-]{25}$/);
  });

  it('gives every part of every key its own nonce, none of them a random one', () => {
    const keys = ['a', 'a.1', 'h-2n9c-lq8x0v2k', 'y'.repeat(30), 'z'.repeat(23)];
    const nonces = keys.flatMap((key) => Array.from({ length: 50 }, (_, i) => keyedMessageNonce(key, i)));
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(nonces.every((n) => n.length <= DISCORD_NONCE_MAX)).toBe(true);
    const random = Array.from({ length: 100 }, () => nextMessageNonce());
    expect(random.some((n) => nonces.includes(n))).toBe(false);
  });
});
