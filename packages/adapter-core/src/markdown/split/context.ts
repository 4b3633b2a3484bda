import type { Links, Token } from 'marked';
import type { LengthUnit, MarkdownDialect } from '../../contract.js';
import { writerFor } from '../dialects/index.js';
import { lexFragment, lexInlineFragment } from '../document.js';
import { decodeCharacterReferences } from '../entities.js';
import { measureLength } from '../length.js';
import { renderBlocks, renderInline } from '../render.js';
import type { DialectWriter } from '../writer.js';
import type { Segment, Wrapper } from './segment.js';

// A wrapper is kept only while all wrappers together take at most half of a chunk and leave room for
// at least an escaped character or an emoji in bytes; past that, formatting gives way to content.
const MIN_CONTENT = 8;

/**
 * Measures segments and wrappers in the target dialect and unit. Lengths are estimates used to pick a
 * cut; the chunk that results is always rendered and measured for real before it is accepted.
 */
export class SplitContext {
  readonly writer: DialectWriter | undefined;
  // Weak: the wrappers of chunks already made are dropped with their segments.
  private readonly overheads = new WeakMap<Wrapper, number>();

  constructor(
    readonly dialect: MarkdownDialect,
    readonly unit: LengthUnit,
    readonly limit: number,
    readonly links: Links,
  ) {
    this.writer = dialect === 'markdown' ? undefined : writerFor(dialect);
  }

  measure(text: string): number {
    return measureLength(text, this.unit);
  }

  /** A chunk's Markdown rendered in the target dialect. */
  renderMarkdown(md: string): string {
    const writer = this.writer;
    return writer ? writer.finish(renderBlocks(lexFragment(md, this.links), writer)) : md;
  }

  renderBlockTokens(tokens: readonly Token[]): string {
    const writer = this.writer;
    return writer ? writer.finish(renderBlocks(tokens, writer)) : tokens.map((t) => t.raw).join('');
  }

  private renderInlineMarkdown(md: string): string {
    const writer = this.writer;
    return writer ? writer.finish(renderInline(lexInlineFragment(md, this.links), writer)) : md;
  }

  /** Rendered length of one literal or code unit (used to cut over-long words). */
  unitLength(kind: 'inline' | 'code' | 'literal', unit: string): number {
    const writer = this.writer;
    if (!writer) return this.measure(unit);
    if (kind === 'code') return this.measure(writer.code(unit));
    return this.measure(writer.text(kind === 'inline' ? decodeCharacterReferences(unit) : unit));
  }

  /** Rendered length of a segment alone, without its wrappers. */
  leafLength(segment: Segment): number {
    if (segment.len !== undefined) return segment.len;
    segment.len = this.computeLeafLength(segment);
    return segment.len;
  }

  private computeLeafLength(segment: Segment): number {
    const writer = this.writer;
    if (!writer) return this.measure(segment.md);
    switch (segment.kind) {
      case 'block': {
        const rendered = segment.token
          ? this.renderBlockTokens([segment.token])
          : this.renderMarkdown(segment.md);
        if (segment.topLevel) segment.rendered = rendered;
        return this.measure(rendered);
      }
      case 'inline':
        return (segment.atoms ?? []).reduce((sum, atom) => sum + this.atomLength(atom, writer), 0);
      case 'code':
        return this.measure(writer.code(segment.md));
      case 'literal':
        return this.measure(writer.text(segment.literal ?? ''));
      case 'row': {
        const head = segment.head ?? '';
        return Math.max(
          0,
          this.measure(this.renderMarkdown(`${head}\n${segment.md}`)) -
            this.measure(this.renderMarkdown(head)),
        );
      }
    }
  }

  private atomLength(atom: Token, writer: DialectWriter): number {
    if (atom.type === 'text') return this.measure(writer.text(decodeCharacterReferences(atom.raw)));
    return this.measure(writer.finish(renderInline([atom], writer)));
  }

  joinLength(segment: Segment): number {
    const { join } = segment;
    const writer = this.writer;
    if (!writer || segment.joinKind === 'code') return this.measure(join);
    if (segment.joinKind === 'block') {
      // Blocks of the document itself are always rendered apart; nested ones keep a tight list tight.
      const loose = segment.topLevel || join.includes('\n\n');
      return this.measure(loose ? writer.blockSeparator : writer.tightSeparator);
    }
    return join.includes('\n') ? this.measure(writer.softBreak) : this.measure(join);
  }

  /** What a wrapper adds to the rendered length of its content. */
  overhead(wrapper: Wrapper): number {
    let cached = this.overheads.get(wrapper);
    if (cached === undefined) {
      cached = this.computeOverhead(wrapper);
      this.overheads.set(wrapper, cached);
    }
    return cached;
  }

  private computeOverhead(wrapper: Wrapper): number {
    const probe = 'x';
    if (wrapper.inner === 'row') return this.measure(this.renderMarkdown(wrapper.wrap('', true).trimEnd()));
    const wrapped = wrapper.wrap(probe, true);
    if (!this.writer) return Math.max(0, this.measure(wrapped) - 1);
    const outer =
      wrapper.outer === 'block' ? this.renderMarkdown(wrapped) : this.renderInlineMarkdown(wrapped);
    const inner = wrapper.inner === 'block' ? this.renderMarkdown(probe) : this.renderInlineMarkdown(probe);
    return Math.max(0, this.measure(outer) - this.measure(inner));
  }

  chainOverhead(wrappers: readonly Wrapper[]): number {
    let sum = 0;
    for (const wrapper of wrappers) sum += this.overhead(wrapper);
    return sum;
  }

  /** Estimated rendered length of a segment alone in a chunk, wrappers included. */
  soloLength(segment: Segment): number {
    return this.leafLength(segment) + this.chainOverhead(segment.wrappers);
  }

  /** Whether content still has room inside `wrapper` nested in `outer`; if not, the caller drops the wrapper. */
  fits(outer: readonly Wrapper[], wrapper: Wrapper): boolean {
    const overhead = this.chainOverhead(outer) + this.overhead(wrapper);
    return overhead * 2 <= this.limit && overhead + MIN_CONTENT <= this.limit;
  }
}
