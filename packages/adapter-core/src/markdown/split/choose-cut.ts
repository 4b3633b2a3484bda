import type { SplitContext } from './context.js';
import type { Segment } from './segment.js';
import type { SegmentWindow } from './segment-window.js';

interface Candidate {
  /** Exclusive end of the chunk. */
  end: number;
  /** Estimated rendered length of segments[start..end). */
  fill: number;
  /** Priority of cutting there (-1 at the end of the text). */
  priority: number;
}

/**
 * Picks where the chunk starting at the window's first segment ends: the best-ranked break (paragraph,
 * then line, sentence, word) among those that fill at least half of the budget, the latest such break
 * on a tie. Segments are added while the estimate stays within `budget`; `maxEnd` bounds the search
 * when an earlier pick rendered too long. Reads the window one segment past the last one it adds.
 */
export function chooseChunkEnd(
  window: SegmentWindow,
  budget: number,
  maxEnd: number,
  ctx: SplitContext,
): number {
  const candidates: Candidate[] = [];
  let fill = 0;
  let previous: Segment | undefined;
  for (let k = 0; k < maxEnd; k++) {
    const segment = window.at(k);
    if (!segment) break;
    const add =
      (previous ? ctx.joinLength(segment) : 0) +
      openedOverhead(previous, segment, ctx) +
      ctx.leafLength(segment);
    if (previous && (fill + add > budget || ctx.soloLength(segment) > ctx.limit)) break;
    fill += add;
    previous = segment;
    const next = window.at(k + 1);
    candidates.push({ end: k + 1, fill, priority: next ? next.priority : -1 });
  }
  const last = candidates[candidates.length - 1] as Candidate;
  if (last.priority === -1) return last.end;
  const fullEnough = candidates.filter((c) => c.fill * 2 >= budget);
  const pool = fullEnough.length > 0 ? fullEnough : candidates;
  let best = pool[0] as Candidate;
  for (const candidate of pool) {
    if (
      candidate.priority < best.priority ||
      (candidate.priority === best.priority && candidate.end > best.end)
    ) {
      best = candidate;
    }
  }
  return best.end;
}

/** Overhead of the containers `segment` opens that `previous` was not already in. */
function openedOverhead(previous: Segment | undefined, segment: Segment, ctx: SplitContext): number {
  let shared = 0;
  if (previous) {
    while (
      shared < segment.wrappers.length &&
      shared < previous.wrappers.length &&
      segment.wrappers[shared] === previous.wrappers[shared]
    ) {
      shared++;
    }
  }
  return ctx.chainOverhead(segment.wrappers.slice(shared));
}
