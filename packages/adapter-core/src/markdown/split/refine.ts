import type { Token, Tokens } from 'marked';
import { escapeMarkdownLiteral } from '../escape.js';
import { inlinePlainText } from '../render.js';
import {
  blockLeaves,
  codeLineFields,
  itemMarker,
  listItemLeaves,
  literalLineFields,
} from './block-leaves.js';
import type { SplitContext } from './context.js';
import { breakUnits, packUnits } from './hard-split.js';
import { inlineLeaves } from './inline-leaves.js';
import {
  BREAK,
  childSegments,
  type LeafOrigin,
  originOf,
  type Segment,
  type SegmentFields,
  type Wrapper,
} from './segment.js';
import {
  codespanWrapper,
  emphasisWrapper,
  fenceWrapper,
  headingWrapper,
  itemWrapper,
  paragraphWrapper,
  quoteWrapper,
  safeFence,
  tableWrapper,
} from './wrappers.js';

/**
 * Replaces a segment too long for one chunk by smaller ones: a block by its parts, a paragraph by its
 * words, a word by its entities, an entity by its content, and a plain word by hard-cut pieces.
 * Returns undefined when the segment cannot get any smaller, and an empty list when it holds nothing
 * visible (an empty code block or quote whose markup alone is over the limit).
 */
export function refineSegment(segment: Segment, ctx: SplitContext): Segment[] | undefined {
  switch (segment.kind) {
    case 'block':
      return segment.token ? refineBlock(segment, segment.token, ctx) : undefined;
    case 'inline':
      return refineWord(segment, ctx);
    case 'code':
      return splitAtSpaces(segment, segment.md, 'code', ctx);
    case 'literal':
      return splitAtSpaces(segment, segment.literal ?? '', 'literal', ctx);
    case 'row':
      return literalSegments(
        segment.md,
        { ...originOf(segment), wrappers: segment.wrappers.slice(0, -1) },
        ctx,
      );
  }
}

function refineBlock(segment: Segment, token: Token, ctx: SplitContext): Segment[] | undefined {
  const t = token as Tokens.Generic;
  switch (t.type) {
    case 'paragraph':
    case 'text':
      return t.tokens
        ? wrapped(segment, paragraphWrapper(), ctx, (o) => inlineLeaves(t.tokens ?? [], o))
        : undefined;
    case 'heading': {
      const heading = t as Tokens.Heading;
      const inner = (o: LeafOrigin) => inlineLeaves(heading.tokens, o, { flattenNewlines: true });
      const wrapper = headingWrapper(Math.min(6, Math.max(1, heading.depth)));
      return ctx.fits(segment.wrappers, wrapper)
        ? inner(originOf(segment, wrapper))
        : wrapped(segment, paragraphWrapper(), ctx, inner);
    }
    case 'code':
      return refineCode(segment, t as Tokens.Code, ctx);
    case 'blockquote': {
      const quote = t as Tokens.Blockquote;
      return wrapped(segment, quoteWrapper(), ctx, (o) => blockLeaves(quote.tokens, o));
    }
    case 'list': {
      const list = t as Tokens.List;
      if (list.items.length > 1) return listItemLeaves(list, originOf(segment));
      const item = list.items[0];
      return item ? refineItem(segment, item, list, ctx) : undefined;
    }
    case 'table':
      return refineTable(segment, t as Tokens.Table, ctx);
    case 'html':
      return literalSegments(t.raw, originOf(segment), ctx);
    case 'space':
    case 'def':
    case 'hr':
    case 'checkbox':
      return undefined;
    default:
      return literalSegments(t.raw, originOf(segment), ctx);
  }
}

/** Children under a new wrapper when it leaves room for content, else the same children unwrapped. */
function wrapped(
  segment: Segment,
  wrapper: Wrapper,
  ctx: SplitContext,
  children: (origin: LeafOrigin) => Segment[],
): Segment[] {
  return children(ctx.fits(segment.wrappers, wrapper) ? originOf(segment, wrapper) : originOf(segment));
}

function refineCode(segment: Segment, code: Tokens.Code, ctx: SplitContext): Segment[] | undefined {
  const indented = code.codeBlockStyle === 'indented';
  const openLine = indented ? '' : (segment.md.split('\n')[0] ?? '');
  const char = /^ {0,3}~/.test(openLine) ? '~' : '`';
  const openLength = /^ {0,3}(`+|~+)/.exec(openLine)?.[1]?.length ?? 3;
  const info = indented ? '' : openLine.replace(/^ {0,3}(`{3,}|~{3,})/, '').trim();
  const fence = safeFence(code.text, char, openLength);
  const lines = codeLineFields(code.text);
  // An empty code block has nothing to keep once it cannot fit.
  if (lines.length === 0) return [];
  // Reopen with the same info string; without room for it, a bare fence; without room for that, text.
  for (const wrapper of [fenceWrapper(fence, info), fenceWrapper(fence, '')]) {
    if (ctx.fits(segment.wrappers, wrapper)) return childSegments(originOf(segment, wrapper), lines);
  }
  return literalSegments(code.text, originOf(segment), ctx);
}

function refineItem(
  segment: Segment,
  item: Tokens.ListItem,
  list: Tokens.List,
  ctx: SplitContext,
): Segment[] | undefined {
  const number = list.ordered ? (typeof list.start === 'number' ? list.start : 1) : undefined;
  const { marker, indent } = itemMarker(segment.md, number);
  let tokens = item.tokens;
  let fullMarker = marker;
  const [first] = tokens;
  // A task checkbox stays beside the marker instead of becoming a leaf of its own.
  if (first?.type === 'checkbox') {
    fullMarker += `${first.raw.trim()} `;
    tokens = tokens.slice(1);
  } else if (first?.type === 'paragraph' && (first as Tokens.Paragraph).tokens[0]?.type === 'checkbox') {
    const paragraph = first as Tokens.Paragraph;
    const box = paragraph.tokens[0] as Token;
    fullMarker += `${box.raw.trim()} `;
    const rest: Tokens.Paragraph = {
      ...paragraph,
      raw: paragraph.raw.slice(box.raw.length),
      tokens: paragraph.tokens.slice(1),
    };
    tokens = [rest, ...tokens.slice(1)];
  }
  const between = item.loose ? BREAK.block : BREAK.line;
  const wrapper = itemWrapper(fullMarker, indent);
  if (ctx.fits(segment.wrappers, wrapper)) {
    return blockLeaves(tokens, originOf(segment, wrapper), between);
  }
  // No room for the list structure: keep the number (it is content) as text before the item's blocks.
  const origin = originOf(segment);
  if (number === undefined) return blockLeaves(tokens, origin, between);
  const label = fullMarker.trim();
  const labelSegment = childSegments(origin, [
    { md: escapeMarkdownLiteral(label), kind: 'literal', literal: label, joinKind: 'block' },
  ]);
  const rest = blockLeaves(
    tokens,
    { ...origin, join: '\n\n', priority: between, firstFrom: origin.wrappers.length },
    between,
  );
  return [...labelSegment, ...rest];
}

function refineTable(segment: Segment, table: Tokens.Table, ctx: SplitContext): Segment[] | undefined {
  const lines = segment.md.split('\n');
  const head = lines.slice(0, 2).join('\n');
  const rows = lines.slice(2);
  const wrapper = tableWrapper(head);
  if (rows.length === 0 || !ctx.fits(segment.wrappers, wrapper)) {
    return literalSegments(table.raw, originOf(segment), ctx);
  }
  const fields: SegmentFields[] = rows.map((row) => ({
    md: row,
    kind: 'row',
    head,
    join: '\n',
    joinKind: 'block',
    priority: BREAK.line,
  }));
  return childSegments(originOf(segment, wrapper), fields);
}

function refineWord(segment: Segment, ctx: SplitContext): Segment[] | undefined {
  const atoms = segment.atoms ?? [];
  if (atoms.length > 1) {
    // A word made of several entities ("foo**bar**"): cut between them.
    return childSegments(
      originOf(segment),
      atoms.map((atom) => ({ md: atom.raw, kind: 'inline', atoms: [atom], join: '', priority: BREAK.hard })),
    );
  }
  const atom = atoms[0] as Tokens.Generic | undefined;
  if (!atom) return undefined;
  switch (atom.type) {
    case 'text':
      return hardSplit(segment, atom.raw, 'inline', ctx);
    case 'strong':
    case 'em':
    case 'del': {
      const width = atom.type === 'strong' ? 2 : atom.type === 'em' ? 1 : /^~~/.test(atom.raw) ? 2 : 1;
      const wrapper = emphasisWrapper(atom.raw.slice(0, width), atom.raw.slice(atom.raw.length - width));
      return wrapped(segment, wrapper, ctx, (o) => inlineLeaves(atom.tokens ?? [], o));
    }
    case 'link':
    case 'image':
      return refineLink(segment, atom as Tokens.Link | Tokens.Image, ctx);
    case 'codespan': {
      const wrapper = codespanWrapper();
      if (!ctx.fits(segment.wrappers, wrapper)) return literalSegments(atom.text, originOf(segment), ctx);
      return splitAtSpaces({ ...segment, wrappers: [...segment.wrappers, wrapper] }, atom.text, 'code', ctx);
    }
    case 'escape':
    case 'checkbox':
      return undefined;
    default:
      return literalSegments(atom.raw, originOf(segment), ctx);
  }
}

/**
 * A link or image too long for a chunk loses its markup: its label as text, then its URL as text (a
 * URL can be hard-cut, a link cannot). Plain rendering shows "label (url)", so no word is lost.
 */
function refineLink(
  segment: Segment,
  link: Tokens.Link | Tokens.Image,
  ctx: SplitContext,
): Segment[] | undefined {
  const label = link.type === 'image' ? link.text : inlinePlainText(link.tokens);
  const origin = originOf(segment);
  if (link.type === 'link' && (link.autolink === true || label === link.href || label === '')) {
    return literalSegments(link.href, origin, ctx);
  }
  const labelSegments =
    link.type === 'link' ? inlineLeaves(link.tokens, origin) : literalSegments(label, origin, ctx);
  const url: SegmentFields = {
    md: escapeMarkdownLiteral(link.href),
    kind: 'literal',
    literal: link.href,
    join: ' ',
    priority: BREAK.word,
  };
  if (labelSegments.length === 0) return childSegments(origin, [url]);
  const urlSegment = childSegments(
    { ...origin, join: ' ', priority: BREAK.word, firstFrom: origin.wrappers.length },
    [url],
  );
  return [...labelSegments, ...urlSegment];
}

/**
 * Text that must read back verbatim, a leaf a line (refined into words later). An empty result means
 * nothing visible was there: a container without content is dropped rather than kept as markup.
 */
function literalSegments(text: string, origin: LeafOrigin, ctx: SplitContext): Segment[] {
  const lines = literalLineFields(text);
  if (lines.length === 0) return [];
  const wrapper = paragraphWrapper();
  const paragraphOrigin = ctx.fits(origin.wrappers, wrapper)
    ? { ...origin, wrappers: [...origin.wrappers, wrapper] }
    : origin;
  return childSegments(paragraphOrigin, lines);
}

/** Code or literal text cut at whitespace (which stays as the join), else hard-cut. */
function splitAtSpaces(
  segment: Segment,
  text: string,
  kind: 'code' | 'literal',
  ctx: SplitContext,
): Segment[] | undefined {
  const lead = /^\s*/.exec(text)?.[0] ?? '';
  const body = text.slice(lead.length).trimEnd();
  const budget = ctx.limit - ctx.chainOverhead(segment.wrappers);
  const parts = body.split(/(\s+)/);
  const fields: SegmentFields[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const word = parts[i] ?? '';
    if (word === '') continue;
    const join = i === 0 ? '' : (parts[i - 1] ?? ' ');
    // A code line keeps its indentation unless that alone pushes its first word past the limit.
    const indented = i === 0 && kind === 'code' && ctx.unitLength('code', lead + word) <= budget;
    fields.push(leafOf(kind, indented ? lead + word : word, join));
  }
  if (fields.length > 1) return childSegments(originOf(segment), fields);
  // One word: without its indentation it may already fit; otherwise it is cut inside.
  if (fields.length === 1 && fields[0]?.md !== segment.md) return childSegments(originOf(segment), fields);
  return hardSplit(segment, body, kind, ctx);
}

function leafOf(kind: 'inline' | 'code' | 'literal', text: string, join: string): SegmentFields {
  const priority = join === '' ? BREAK.hard : join.includes('\n') ? BREAK.line : BREAK.word;
  const joinKind = kind === 'code' ? 'code' : 'inline';
  if (kind === 'literal')
    return { md: escapeMarkdownLiteral(text), kind, literal: text, join, joinKind, priority };
  if (kind === 'inline') {
    return { md: text, kind, atoms: [{ type: 'text', raw: text, text } as Token], join, joinKind, priority };
  }
  return { md: text, kind, join, joinKind, priority };
}

/** Cuts a word longer than the limit into pieces that fit with the wrappers around them. */
function hardSplit(
  segment: Segment,
  text: string,
  kind: 'inline' | 'code' | 'literal',
  ctx: SplitContext,
): Segment[] | undefined {
  const units = breakUnits(text);
  if (units.length <= 1) return undefined;
  const budget = ctx.limit - ctx.chainOverhead(segment.wrappers);
  const pieces = packUnits(units, budget, (unit) => ctx.unitLength(kind, unit));
  return childSegments(
    originOf(segment),
    pieces.map((piece) => leafOf(kind, piece, '')),
  );
}
