import type { TopLevelBlocks } from '../block-stream.js';
import { BlockJoins } from './block-leaves.js';
import { BREAK, makeSegment, type Segment } from './segment.js';

/**
 * The segments the packer is looking at: from the start of the chunk being built to as far as it
 * has looked ahead. Top-level blocks are read (and lexed) only when the packer reaches them, and the
 * segments of a finished chunk are dropped with their tokens and renders, so memory follows the size
 * of a chunk rather than the size of the text. Indices are relative to the current chunk's start.
 */
export class SegmentWindow {
  private readonly buffered: Segment[] = [];
  private readonly joins = new BlockJoins();
  private exhausted = false;
  private first = true;

  constructor(private readonly blocks: TopLevelBlocks) {}

  /** The segments read so far; everything before an index `at()` returned is in it. */
  get segments(): readonly Segment[] {
    return this.buffered;
  }

  /** Segment `k`, reading blocks until it exists; undefined past the end of the text. */
  at(k: number): Segment | undefined {
    while (k >= this.buffered.length && !this.exhausted) this.readBlock();
    return this.buffered[k];
  }

  /** Puts the refined parts of segment `k` in its place. */
  replace(k: number, parts: readonly Segment[]): void {
    this.buffered.splice(k, 1, ...parts);
  }

  /** Forgets the segments before `end`: they made a chunk. */
  drop(end: number): void {
    this.buffered.splice(0, end);
  }

  private readBlock(): void {
    const token = this.blocks.next();
    if (token === undefined) {
      this.exhausted = true;
      return;
    }
    const field = this.joins.leaf(token, BREAK.block);
    if (!field) return;
    // A block of the document itself: the text's first block takes no join before it.
    this.buffered.push(
      makeSegment(field, {
        join: this.first ? '' : (field.join ?? '\n'),
        joinKind: 'block',
        priority: BREAK.block,
        wrappers: [],
        firstFrom: 0,
        topLevel: true,
      }),
    );
    this.first = false;
  }
}
