import { describe, expect, it } from 'vitest';
import { BREAK, childSegments, makeSegment, type SegmentFields } from './segment.js';

describe('makeSegment', () => {
  // The split keeps memory low only while every segment has one shape (see makeSegment): a field
  // missing from some segments, or added after creation, would make V8 give them shapes of their own.
  it('gives segments built from different fields the same keys in the same order', () => {
    const topLevel = makeSegment(
      { md: 'Hello', kind: 'block' },
      { join: '', joinKind: 'block', priority: BREAK.block, wrappers: [], firstFrom: 0, topLevel: true },
    );
    const children = childSegments(topLevel, [
      { md: 'a\\*', kind: 'literal', literal: 'a*' },
      { md: 'b', kind: 'inline', atoms: [], join: ' ', priority: BREAK.word },
      { md: '| x |', kind: 'row', head: '| h |\n| - |', len: 5 },
    ] satisfies SegmentFields[]);
    const keys = Object.keys(topLevel);
    for (const child of children) expect(Object.keys(child)).toEqual(keys);
  });

  it('keeps the shape when the length and render caches are written later', () => {
    const segment = makeSegment(
      { md: 'Hello', kind: 'block' },
      { join: '', joinKind: 'block', priority: BREAK.block, wrappers: [], firstFrom: 0, topLevel: true },
    );
    const before = Object.keys(segment);
    segment.len = 5;
    segment.rendered = 'Hello';
    expect(Object.keys(segment)).toEqual(before);
  });

  it('copies the fields and the placement it is given', () => {
    const segment = makeSegment(
      { md: '`x`', kind: 'code', join: 'ignored' },
      {
        join: ' ',
        joinKind: 'inline',
        priority: BREAK.sentence,
        wrappers: [],
        firstFrom: 1,
        topLevel: false,
      },
    );
    expect(segment).toMatchObject({
      md: '`x`',
      kind: 'code',
      join: ' ',
      joinKind: 'inline',
      priority: BREAK.sentence,
      firstFrom: 1,
      topLevel: false,
    });
  });
});
