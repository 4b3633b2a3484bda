import type { LengthUnit } from '../../contract.js';
import { AdapterError } from '../../errors.js';
import { readTopLevelBlocks } from '../block-stream.js';
import { writerFor } from '../dialects/index.js';
import { type MarkdownDocument, sourceDocument } from '../document.js';
import { measureLength } from '../length.js';
import { plainParagraphs, renderPlainParagraph, trimBlankLines } from '../plain-text.js';
import type { MarkdownChunk, SplitMarkdownOptions } from '../types.js';
import { buildChunkMarkdown } from './build-chunk.js';
import { chooseChunkEnd } from './choose-cut.js';
import { SplitContext } from './context.js';
import { refineSegment } from './refine.js';
import type { Segment } from './segment.js';
import { SegmentWindow } from './segment-window.js';

const UNITS: ReadonlySet<LengthUnit> = new Set(['char', 'utf16', 'byte']);

/**
 * Splits Markdown into chunks whose rendered form fits `limit` in `unit`. The cut is chosen on the
 * Markdown (paragraph, then line, sentence, word), never inside a fence or an inline entity; each chunk
 * is then rendered and measured, and cut again if escaping made it too long. Nothing is dropped: a word
 * longer than the limit is cut into pieces. Empty or whitespace-only chunks are not returned.
 *
 * A string is lexed a top-level block at a time as the chunks reach it, and each chunk's blocks are let
 * go once it is made: peak memory follows the chunk size, not the text size.
 */
export function splitMarkdown(md: string | MarkdownDocument, options: SplitMarkdownOptions): MarkdownChunk[] {
  return splitMarkdownInWindows(md, options);
}

/** `splitMarkdown` with the block pass's window size chosen (tests use tiny ones to cut often). */
export function splitMarkdownInWindows(
  md: string | MarkdownDocument,
  options: SplitMarkdownOptions,
  windowChars?: number,
): MarkdownChunk[] {
  validate(options);
  const document = typeof md === 'string' ? sourceDocument(md, 'splitMarkdown') : md;
  if (document.source.trim() === '') return [];
  // A parsed document has paid for its lexing already; a string may not need any.
  if (typeof md === 'string') {
    const whole = plainTextChunk(document.source, options);
    if (whole) return [whole];
  }
  const blocks = readTopLevelBlocks(document, windowChars);
  const ctx = new SplitContext(options.dialect, options.unit, options.limit, blocks.links);

  // Top-level blocks are measured exactly, so a text that fits comes back whole from the first pick.
  return packChunks(new SegmentWindow(blocks), ctx);
}

/**
 * A plain text (see plain-text.ts) that fits in one chunk, rendered without lexing: each paragraph as
 * the lexing path renders it alone, joined as it joins top-level blocks. Undefined when the text is
 * not plain or does not fit, and the lexing path takes over.
 */
function plainTextChunk(source: string, options: SplitMarkdownOptions): MarkdownChunk | undefined {
  const paragraphs = plainParagraphs(source);
  if (!paragraphs) return undefined;
  const markdown = trimBlankLines(source);
  let rendered = markdown;
  if (options.dialect !== 'markdown') {
    const writer = writerFor(options.dialect);
    const parts: string[] = [];
    for (const lines of paragraphs) parts.push(writer.finish(renderPlainParagraph(lines, writer)));
    rendered = parts.join(writer.blockSeparator);
  }
  const length = measureLength(rendered, options.unit);
  return length <= options.limit ? { markdown, rendered, length } : undefined;
}

function validate(options: SplitMarkdownOptions): void {
  const { limit, unit } = options;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new AdapterError(
      'config_invalid',
      `Markdown split limit must be a positive integer, got ${String(limit)}`,
      {
        fix: "set the platform's maximum message length (for example 4096)",
      },
    );
  }
  if (!UNITS.has(unit)) {
    throw new AdapterError('config_invalid', `unknown length unit "${String(unit)}"`, {
      fix: 'use char, utf16 or byte',
    });
  }
}

function packChunks(window: SegmentWindow, ctx: SplitContext): MarkdownChunk[] {
  const chunks: MarkdownChunk[] = [];
  for (let first = window.at(0); first !== undefined; first = window.at(0)) {
    if (ctx.soloLength(first) > ctx.limit) {
      window.replace(0, refineOrThrow(first, ctx));
      continue;
    }
    let budget = ctx.limit;
    let maxEnd = Number.POSITIVE_INFINITY;
    for (;;) {
      const end = chooseChunkEnd(window, budget, maxEnd, ctx);
      const chunk = renderChunk(window.segments, 0, end, ctx);
      if (chunk.length <= ctx.limit) {
        if (chunk.rendered.trim() !== '' && !onlyDefinitions(window.segments, 0, end)) chunks.push(chunk);
        window.drop(end);
        break;
      }
      if (end === 1) {
        // Alone and still too long once rendered: the estimate was off, so make the segment smaller.
        window.replace(0, refineOrThrow(first, ctx));
        break;
      }
      // Escaping grew the chunk past the estimate: shrink the budget in proportion and cut earlier.
      maxEnd = end - 1;
      budget = Math.max(1, Math.floor((budget * ctx.limit) / chunk.length) - 1);
    }
  }
  return chunks;
}

function renderChunk(
  segments: readonly Segment[],
  start: number,
  end: number,
  ctx: SplitContext,
): MarkdownChunk {
  const markdown = buildChunkMarkdown(segments, start, end);
  let rendered: string;
  const writer = ctx.writer;
  if (!writer) {
    rendered = markdown;
  } else if (allTopLevel(segments, start, end, ctx)) {
    // Whole blocks of the document render the same alone as in context: reuse their renders.
    const parts: string[] = [];
    for (let k = start; k < end; k++) {
      const part = (segments[k] as Segment).rendered ?? '';
      if (part !== '') parts.push(part);
    }
    rendered = parts.join(writer.blockSeparator);
  } else {
    rendered = ctx.renderMarkdown(markdown);
  }
  return { markdown, rendered, length: ctx.measure(rendered) };
}

/** Link reference definitions alone show nothing (passthrough Markdown would send an empty-looking message). */
function onlyDefinitions(segments: readonly Segment[], start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    if ((segments[k] as Segment).token?.type !== 'def') return false;
  }
  return true;
}

function allTopLevel(segments: readonly Segment[], start: number, end: number, ctx: SplitContext): boolean {
  for (let k = start; k < end; k++) {
    const segment = segments[k] as Segment;
    if (!segment.topLevel) return false;
    ctx.leafLength(segment);
    if (segment.rendered === undefined) return false;
  }
  return true;
}

function refineOrThrow(segment: Segment, ctx: SplitContext): Segment[] {
  const smaller = refineSegment(segment, ctx);
  if (smaller) return smaller;
  const sample = segment.literal ?? segment.md;
  throw new AdapterError(
    'bad_request',
    `cannot fit "${sample.slice(0, 40)}" into ${ctx.limit} ${ctx.unit} once rendered as ${ctx.dialect}`,
    { fix: 'raise the message length limit; chat platforms allow thousands of characters' },
  );
}
