import { measureLength, sniffMime } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { firstMissingWord, longMarkdown, sampleMedia, tinyPng } from './fixtures.js';

describe('conformance fixtures', () => {
  it('tinyPng is a PNG by its magic bytes', () => {
    expect(sniffMime(tinyPng())).toBe('image/png');
  });

  it('sampleMedia gives bytes matching the declared MIME for images', () => {
    const media = sampleMedia('image');
    expect(sniffMime(media.bytes)).toBe(media.mime);
  });

  it.each(['char', 'utf16', 'byte'] as const)('longMarkdown reaches 3.5 x the limit in %s', (unit) => {
    const long = longMarkdown(1000, unit);
    expect(measureLength(long.text, unit)).toBeGreaterThanOrEqual(3500);
    expect(long.text).toContain('```ts');
    expect(new Set(long.words).size).toBe(long.words.length);
  });

  it('firstMissingWord finds a dropped or reordered word', () => {
    const words = ['w00000', 'w00001', 'w00002'];
    expect(firstMissingWord('w00000 x w00001\nw00002', words)).toBe(-1);
    expect(firstMissingWord('w00000 w00002', words)).toBe(1);
    expect(firstMissingWord('w00001 w00000 w00002', words)).toBe(1);
  });
});
