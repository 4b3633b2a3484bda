import type { Token } from 'marked';
import {
  BREAK,
  type BreakPriority,
  childSegments,
  type LeafOrigin,
  type Segment,
  type SegmentFields,
} from './segment.js';

interface Word {
  atoms: Token[];
  md: string;
  join: string;
  priority: BreakPriority;
}

const SENTENCE_END = /[.!?…。！？]["'”’»)\]]*$/;
// CJK is written without spaces: allow a cut after its punctuation (a sentence end ranks higher).
const CJK_PAUSE = /(?<=[。！？，、；：])(?=\S)/u;
const CJK_SENTENCE_END = /[。！？]$/;

/**
 * Cuts inline tokens into words: runs of non-space text plus any entity (link, code span, emphasis…)
 * touching them. Entities are never cut here; a word too long for a chunk is refined later.
 */
export function inlineLeaves(
  tokens: readonly Token[],
  origin: LeafOrigin,
  options: { flattenNewlines?: boolean } = {},
): Segment[] {
  const words: Word[] = [];
  let pending = '';
  let forceNew = false;
  let pausePriority: BreakPriority = BREAK.word;

  const push = (atom: Token) => {
    const last = words[words.length - 1];
    if (last && pending === '' && !forceNew) {
      last.atoms.push(atom);
      last.md += atom.raw;
      return;
    }
    const join = options.flattenNewlines ? pending.replace(/\s*\n\s*/g, ' ') : pending;
    words.push({
      atoms: [atom],
      md: atom.raw,
      join,
      priority: priorityAfter(last, join, forceNew, pausePriority),
    });
    pending = '';
    forceNew = false;
  };

  for (const token of tokens) {
    if (token.type === 'br') {
      pending += token.raw;
      continue;
    }
    if (token.type !== 'text' || 'tokens' in token) {
      push(token);
      continue;
    }
    for (const match of token.raw.matchAll(/\s+|\S+/g)) {
      const piece = match[0];
      if (/^\s/.test(piece)) {
        pending += piece;
        continue;
      }
      const parts = piece.split(CJK_PAUSE);
      parts.forEach((part, index) => {
        if (index > 0) {
          forceNew = true;
          pausePriority = CJK_SENTENCE_END.test(parts[index - 1] ?? '') ? BREAK.sentence : BREAK.word;
        }
        push({ type: 'text', raw: part, text: part } as Token);
      });
    }
  }

  const fields: SegmentFields[] = words.map((word) => ({
    md: word.md,
    kind: 'inline',
    atoms: word.atoms,
    join: word.join,
    joinKind: 'inline',
    priority: word.priority,
  }));
  return childSegments(origin, fields);
}

function priorityAfter(
  previous: Word | undefined,
  join: string,
  cjkPause: boolean,
  pause: BreakPriority,
): BreakPriority {
  if (cjkPause && join === '') return pause;
  if (join.includes('\n')) return BREAK.line;
  if (previous && SENTENCE_END.test(previous.md)) return BREAK.sentence;
  return BREAK.word;
}
