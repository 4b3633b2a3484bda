import type { Token, Tokens } from 'marked';
import { escapeMarkdownLiteral } from '../escape.js';
import {
  BREAK,
  type BreakPriority,
  childSegments,
  type LeafOrigin,
  type Segment,
  type SegmentFields,
} from './segment.js';

/** Splits trailing newlines off a raw token: they become the join to the next block. */
export function splitTrailingNewlines(raw: string): { body: string; trailing: string } {
  const match = /\n+$/.exec(raw);
  return match ? { body: raw.slice(0, match.index), trailing: match[0] } : { body: raw, trailing: '' };
}

/** One leaf per block; `space` tokens become the joins between them. */
export function blockLeaves(
  tokens: readonly Token[],
  origin: LeafOrigin,
  between: BreakPriority = BREAK.block,
): Segment[] {
  const joins = new BlockJoins();
  const fields: SegmentFields[] = [];
  for (const token of tokens) {
    const field = joins.leaf(token, between);
    if (field) fields.push(field);
  }
  return childSegments(origin, fields);
}

/**
 * Turns blocks, met in order, into leaf fields: a `space` token gives no leaf, only whitespace for
 * the join before the next block, and so do the newlines a block ends with.
 */
export class BlockJoins {
  private pending = '';

  leaf(token: Token, priority: BreakPriority): SegmentFields | undefined {
    if (token.type === 'space') {
      this.pending += token.raw;
      return undefined;
    }
    const { body, trailing } = splitTrailingNewlines(token.raw);
    const join = this.pending.includes('\n') ? this.pending : '\n';
    this.pending = trailing;
    return { md: closeOpenFence(token, body), kind: 'block', token, join, joinKind: 'block', priority };
  }
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;

/** An unclosed fence runs to the end of the text; a chunk holding it gets its closing line. */
function closeOpenFence(token: Token, body: string): string {
  if (token.type !== 'code' || (token as Tokens.Code).codeBlockStyle === 'indented') return body;
  const open = FENCE_OPEN.exec(body)?.[1];
  if (!open) return body;
  const lines = body.split('\n');
  const last = lines.length > 1 ? (lines[lines.length - 1] ?? '').trim() : '';
  const closed = last.length >= open.length && last === (open[0] ?? '`').repeat(last.length);
  return closed ? body : `${body}\n${open}`;
}

/** One leaf per list item; ordered items carry their real number so a chunk starting mid-list counts on. */
export function listItemLeaves(list: Tokens.List, origin: LeafOrigin): Segment[] {
  const start = typeof list.start === 'number' ? list.start : 1;
  let pending = '';
  const fields = list.items.map((item, index): SegmentFields => {
    const { body, trailing } = splitTrailingNewlines(item.raw);
    const number = list.ordered ? start + index : undefined;
    const md = number === undefined ? body : renumberItem(body, number);
    const single: Tokens.List = { ...list, raw: md, start: number ?? '', items: [item] };
    const join = pending.includes('\n') ? pending : '\n';
    pending = trailing;
    return {
      md,
      kind: 'block',
      token: single,
      join,
      joinKind: 'block',
      priority: list.loose ? BREAK.block : BREAK.line,
    };
  });
  return childSegments(origin, fields);
}

const ORDERED_MARKER = /^(\s*)(\d{1,9})([.)])/;

function renumberItem(body: string, number: number): string {
  const match = ORDERED_MARKER.exec(body);
  if (!match) return body;
  const digits = String(number);
  const old = match[2] ?? '';
  if (old === digits) return body;
  const delta = digits.length - old.length;
  const [first = '', ...rest] = body.split('\n');
  const renumbered = (match[1] ?? '') + digits + first.slice((match[1] ?? '').length + old.length);
  // Continuation lines are indented to the item's content column, which moves with the marker width.
  const shifted = rest.map((line) => {
    if (delta > 0 && /^\s/.test(line)) return ' '.repeat(delta) + line;
    if (delta < 0 && line.startsWith(' '.repeat(-delta + 1))) return line.slice(-delta);
    return line;
  });
  return [renumbered, ...shifted].join('\n');
}

export interface ItemMarker {
  /** What goes before the first line: bullet or number, spaces, and a task checkbox if any. */
  marker: string;
  /** The item's content column. */
  indent: number;
}

/** The marker of a list item's raw text, with the number rewritten for ordered lists. */
export function itemMarker(raw: string, number: number | undefined): ItemMarker {
  const match = /^([ \t]*)([-+*]|\d{1,9}[.)])([ \t]*)/.exec(raw);
  if (!match) return { marker: '- ', indent: 2 };
  const bullet = number === undefined ? (match[2] ?? '-') : `${number}${(match[2] ?? '.').slice(-1)}`;
  let spaces = match[3] ?? '';
  // Five or more spaces mean the item starts with indented code: the marker takes only one of them.
  if (spaces.length === 0 || spaces.length > 4) spaces = ' ';
  const marker = (match[1] ?? '') + bullet + spaces;
  return { marker, indent: marker.length };
}

/** Literal lines (a degraded code block, an HTML block, a table without room for its header). */
export function literalLineFields(text: string): SegmentFields[] {
  const fields: SegmentFields[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    const literal = line.trim();
    if (literal === '') {
      pending += '\n';
      continue;
    }
    fields.push({
      md: escapeMarkdownLiteral(literal),
      kind: 'literal',
      literal,
      join: `${pending}\n`,
      joinKind: 'inline',
      priority: pending === '' ? BREAK.line : BREAK.block,
    });
    pending = '';
  }
  return fields;
}

/**
 * The lines of a code block as leaves. Blank lines stay in the joins (a blank line ranks as a paragraph
 * break); blank lines before the first and after the last line hold nothing and are not kept.
 */
export function codeLineFields(code: string): SegmentFields[] {
  const fields: SegmentFields[] = [];
  let pending = '';
  for (const line of code.split('\n')) {
    if (line.trim() === '') {
      if (fields.length > 0) pending += `\n${line}`;
      continue;
    }
    const join = `${pending}\n`;
    fields.push({
      md: line,
      kind: 'code',
      join,
      joinKind: 'code',
      priority: pending === '' ? BREAK.line : BREAK.block,
    });
    pending = '';
  }
  return fields;
}
