import { describe, expect, it } from 'vitest';
import { measureLength } from './length.js';

describe('measureLength', () => {
  it.each([
    ['hello', 5, 5, 5],
    ['héllo', 5, 5, 6],
    ['漢字', 2, 2, 6],
    ['😀', 1, 2, 4],
    ['👍🏽', 2, 4, 8],
    ['a\ud800b', 3, 3, 5],
  ])('%j counts %i chars, %i UTF-16 units, %i bytes', (text, char, utf16, byte) => {
    expect(measureLength(text, 'char')).toBe(char);
    expect(measureLength(text, 'utf16')).toBe(utf16);
    expect(measureLength(text, 'byte')).toBe(byte);
  });

  it('rejects an unknown unit', () => {
    expect(() => measureLength('x', 'words' as never)).toThrow(/unknown length unit/);
  });
});
