import type { Token } from 'marked';

/**
 * How good a place it is to cut just before a segment; lower is better. The split prefers paragraph
 * (block) boundaries, then line breaks, then sentence ends, then spaces, and cuts inside a word only
 * when the word alone is longer than the limit.
 */
export const BREAK = { block: 0, line: 1, sentence: 2, word: 3, hard: 4 } as const;
export type BreakPriority = (typeof BREAK)[keyof typeof BREAK];

/**
 * What a leaf holds, which decides how its length is measured:
 * - block: whole Markdown blocks (with their parsed token),
 * - inline: one word of inline Markdown (its inline tokens are `atoms`),
 * - code: raw text inside a fence or a code span,
 * - literal: text that must read back verbatim (md is its escaped form),
 * - row: one table row (under a table wrapper that holds the header).
 */
export type LeafKind = 'block' | 'inline' | 'code' | 'literal' | 'row';

/** How the whitespace before a segment renders. */
export type JoinKind = 'block' | 'inline' | 'code';

/**
 * A container a run of leaves sits in (paragraph, fence, quote, list item, emphasis…). A chunk holding
 * only part of the container rebuilds it around that part: that is how a fence is closed at the end of
 * one chunk and reopened with the same info string in the next.
 */
export interface Wrapper {
  readonly kind: 'paragraph' | 'heading' | 'fence' | 'quote' | 'item' | 'emphasis' | 'codespan' | 'table';
  /** Whether the rebuilt container is a block or sits inside a line. */
  readonly outer: 'block' | 'inline';
  /** The kind of leaves it holds (what a probe for its overhead must contain). */
  readonly inner: 'block' | 'inline' | 'code' | 'row';
  /** `opensHere`: the run includes the container's first leaf (a list marker only goes there). */
  wrap(content: string, opensHere: boolean): string;
}

export interface Segment {
  readonly md: string;
  readonly kind: LeafKind;
  /** block leaves: the parsed block. */
  readonly token?: Token;
  /** inline leaves: the inline tokens (or slices of text tokens) that make the word. */
  readonly atoms?: readonly Token[];
  /** literal leaves: the text the escaped `md` reads as. */
  readonly literal?: string;
  /** row leaves: the table header and delimiter lines. */
  readonly head?: string;
  /** Whitespace between the previous segment and this one when both land in the same chunk. */
  readonly join: string;
  readonly joinKind: JoinKind;
  readonly priority: BreakPriority;
  /** Containers, outermost first. Consecutive segments of one container share the same objects. */
  readonly wrappers: readonly Wrapper[];
  /** This segment is the first leaf of `wrappers[firstFrom..]`. */
  readonly firstFrom: number;
  /** A block of the document itself: its render alone is exactly its render in context. */
  readonly topLevel: boolean;
  /** Cached rendered length alone, without wrappers. */
  len?: number;
  /** Cached render (top-level blocks only). */
  rendered?: string;
}

/** Where refined children attach: the parent's join and priority go to the first child. */
export interface LeafOrigin {
  readonly join: string;
  readonly joinKind: JoinKind;
  readonly priority: BreakPriority;
  readonly wrappers: readonly Wrapper[];
  readonly firstFrom: number;
}

export function originOf(segment: Segment, wrapper?: Wrapper): LeafOrigin {
  return {
    join: segment.join,
    joinKind: segment.joinKind,
    priority: segment.priority,
    wrappers: wrapper ? [...segment.wrappers, wrapper] : segment.wrappers,
    firstFrom: segment.firstFrom,
  };
}

export type SegmentFields = Omit<
  Segment,
  'join' | 'joinKind' | 'priority' | 'wrappers' | 'firstFrom' | 'topLevel'
> & {
  join?: string;
  joinKind?: JoinKind;
  priority?: BreakPriority;
};

/** Where a new segment sits: the fields `SegmentFields` leaves to the caller. */
export type Placement = Pick<
  Segment,
  'join' | 'joinKind' | 'priority' | 'wrappers' | 'firstFrom' | 'topLevel'
>;

/**
 * A segment with every field written out, in one order, so that all segments share one shape.
 * Not `{ ...fields, topLevel }`: in V8 (Node 22) a spread followed by properties the source lacks
 * gives each object a shape of its own, and those objects and what they point to (a block's whole
 * token tree) outlive several young-generation collections after they are dropped: a 1 MB split
 * promoted about 3.5 MB of such garbage per call (measured with --trace-gc-nvp).
 */
export function makeSegment(fields: SegmentFields, placement: Placement): Segment {
  return {
    md: fields.md,
    kind: fields.kind,
    token: fields.token,
    atoms: fields.atoms,
    literal: fields.literal,
    head: fields.head,
    join: placement.join,
    joinKind: placement.joinKind,
    priority: placement.priority,
    wrappers: placement.wrappers,
    firstFrom: placement.firstFrom,
    topLevel: placement.topLevel,
    // Written later (a cache); present from the start so that writing them keeps the shape.
    len: fields.len,
    rendered: fields.rendered,
  };
}

/**
 * Builds the children of a refined segment: the first takes the origin's join, priority and first-leaf
 * marks; the others are joined by what the caller found between them.
 */
export function childSegments(origin: LeafOrigin, children: readonly SegmentFields[]): Segment[] {
  return children.map((child, index) => {
    const first = index === 0;
    return makeSegment(child, {
      join: first ? origin.join : (child.join ?? ''),
      joinKind: first ? origin.joinKind : (child.joinKind ?? 'inline'),
      priority: first ? origin.priority : (child.priority ?? BREAK.hard),
      wrappers: origin.wrappers,
      firstFrom: first ? origin.firstFrom : origin.wrappers.length,
      topLevel: false,
    });
  });
}
