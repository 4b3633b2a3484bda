import { escapeMarkdownLineStart } from '../escape.js';
import type { Segment } from './segment.js';

/**
 * The Markdown of segments[from..to): leaves joined by their original whitespace, each run of leaves
 * rebuilt inside its containers (fences, quotes, items, emphasis) so every chunk is well-formed alone.
 */
export function buildChunkMarkdown(segments: readonly Segment[], from: number, to: number): string {
  return buildLevel(segments, from, to, 0, from);
}

function buildLevel(
  segments: readonly Segment[],
  from: number,
  to: number,
  depth: number,
  chunkStart: number,
): string {
  let out = '';
  let k = from;
  while (k < to) {
    const segment = segments[k] as Segment;
    // The first segment's join sits outside this level (or is dropped at the chunk start).
    if (k > from) out += segment.join;
    const wrapper = segment.wrappers[depth];
    if (!wrapper) {
      out += leafMarkdown(segment, k === chunkStart);
      k++;
      continue;
    }
    let end = k + 1;
    while (end < to && (segments[end] as Segment).wrappers[depth] === wrapper) end++;
    out += wrapper.wrap(buildLevel(segments, k, end, depth + 1, chunkStart), segment.firstFrom <= depth);
    k = end;
  }
  return out;
}

function leafMarkdown(segment: Segment, chunkStart: boolean): string {
  if (segment.kind === 'block' || segment.kind === 'code' || segment.kind === 'row') return segment.md;
  // Text cut out of a paragraph may now begin a line, where "- " or "1. " would start a list.
  const lineStart = chunkStart || (segment.kind === 'literal' && segment.join.includes('\n'));
  return lineStart ? escapeMarkdownLineStart(segment.md) : segment.md;
}
