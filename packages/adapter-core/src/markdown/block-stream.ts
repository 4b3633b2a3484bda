import { Lexer, type Links, type Token, type Tokens } from 'marked';
import { lexerOptions, type MarkdownDocument, normalizeLineEndings, parsedTokens } from './document.js';
import { isPlainInline } from './plain-text.js';

/**
 * The top-level blocks of a document, handed out one at a time with their inline tokens. A caller
 * that renders or splits each block and then lets go of it keeps only a block's token tree at a time,
 * not the whole document's (for a 1 MB reply, tens of MB of short-lived objects).
 */
export interface TopLevelBlocks {
  /** Every link reference definition of the document, wherever it stands (a block may use a later one). */
  readonly links: Links;
  /** The next top-level block (`space` tokens included), or undefined after the last. */
  next(): Token | undefined;
}

interface QueuedInline {
  src: string;
  tokens: Token[];
}

// Text lexed per block pass: enough blocks to make chunks from, little enough that their tokens die
// young (a bigger window is tried when no safe place to stop is found in it).
const WINDOW_CHARS = 32 * 1024;

/**
 * Reads a document block by block. A document from `parseMarkdown` already has its tree, which is
 * walked. Any other is lexed here in marked's own two passes, interleaved: a block pass, then the
 * inline pass of each block only when that block is asked for. marked's `lex()` runs the same inline
 * lexing of the same queue in the same order with the same lexer, so the tokens are identical.
 *
 * The block pass itself goes a window of text at a time (see `nextWindow`), except when the text may
 * hold a link reference definition: a reference can be used before its definition, so every
 * definition must be known before the first inline lexing, and the block pass then covers the whole
 * text in one go (its tree, without inline tokens, is a fraction of the full one).
 */
export function readTopLevelBlocks(document: MarkdownDocument, windowChars = WINDOW_CHARS): TopLevelBlocks {
  const parsed = parsedTokens(document);
  if (parsed) {
    let index = 0;
    return { links: parsed.links, next: () => parsed[index++] };
  }
  const lexer = new Lexer(lexerOptions());
  // `lex()` normalises line endings itself; the block pass alone does not.
  const source = normalizeLineEndings(document.source);
  // A definition is "[label]:" at the start of a line; without "]:" anywhere there is none.
  const wholeText = source.includes(']:');
  let from = 0;
  let run: BlockRun | undefined;
  return {
    links: lexer.tokens.links,
    next: () => {
      for (;;) {
        const block = run?.next();
        if (block !== undefined) return block;
        if (from >= source.length) return undefined;
        const window = wholeText
          ? wholeTextWindow(lexer, source)
          : nextWindow(lexer, source, from, windowChars);
        from = window.end;
        run = new BlockRun(window.blocks, window.queue, lexer);
      }
    },
  };
}

interface Window {
  /** Top-level blocks of source[from, end), with their inline work queued, not done. */
  blocks: Token[];
  queue: QueuedInline[];
  end: number;
}

function wholeTextWindow(lexer: Lexer, source: string): Window {
  const blocks = lexer.blockTokens(source, []);
  const queue = lexer.inlineQueue;
  lexer.inlineQueue = [];
  return { blocks, queue, end: source.length };
}

/**
 * The block pass over the next window of text, keeping only the blocks that lexing the whole text
 * would give too. Blocks are cut after a blank line (a `space` token) that is followed by a whole
 * block and then by another non-blank block: whatever lies past the window's end can change only the
 * last block (a fence or list running on, a line cut short), and nothing before a blank line looks
 * further ahead than the block after it. The text from the cut on is lexed again with the next window,
 * starting as a fresh block pass would after a blank line (no paragraph to continue, no list to join).
 */
function nextWindow(lexer: Lexer, source: string, from: number, windowChars: number): Window {
  for (let size = windowChars; ; size *= 2) {
    const end = lineEndAfter(source, from + size);
    const text = source.slice(from, end);
    const blocks = lexer.blockTokens(text, []);
    const queue = lexer.inlineQueue;
    lexer.inlineQueue = [];
    if (end === source.length) return { blocks, queue, end };
    const cut = safeCut(blocks, text);
    if (cut !== undefined) {
      const kept = blocks.slice(0, cut.blocks);
      return { blocks: kept, queue: queue.slice(0, queuedFor(kept, queue)), end: from + cut.chars };
    }
  }
}

function lineEndAfter(source: string, at: number): number {
  if (at >= source.length) return source.length;
  const newline = source.indexOf('\n', at);
  return newline === -1 ? source.length : newline + 1;
}

/** The last place to cut the window's blocks (see `nextWindow`), and the length of text before it. */
function safeCut(blocks: readonly Token[], text: string): { blocks: number; chars: number } | undefined {
  let last = blocks.length - 1;
  while (last >= 0 && blocks[last]?.type === 'space') last--;
  for (let cut = last - 1; cut >= 1; cut--) {
    if (blocks[cut - 1]?.type !== 'space' || blocks[cut]?.type === 'space') continue;
    // The blocks' raw texts must be the window's text itself, end to end, to know where the cut is.
    let chars = 0;
    for (let k = 0; k < cut; k++) {
      const raw = (blocks[k] as Token).raw;
      if (!text.startsWith(raw, chars)) return undefined;
      chars += raw.length;
    }
    return { blocks: cut, chars };
  }
  return undefined;
}

/** How many queue entries belong to the kept blocks: up to the last one whose tokens are in them. */
function queuedFor(kept: readonly Token[], queue: readonly QueuedInline[]): number {
  const targets = new Set<Token[]>();
  for (const block of kept) for (const tokens of inlineTargets(block)) targets.add(tokens);
  for (let k = queue.length - 1; k >= 0; k--) {
    if (targets.has((queue[k] as QueuedInline).tokens)) return k + 1;
  }
  return 0;
}

/** A window's blocks, handed out in order, each with its inline lexing done first. */
class BlockRun {
  private readonly pending: Token[];
  private readonly inline: InlineQueue;

  constructor(blocks: readonly Token[], queue: QueuedInline[], lexer: Lexer) {
    // Reversed once so that handing a block out is a pop, which also drops the reference to it.
    this.pending = [...blocks].reverse();
    this.inline = new InlineQueue(queue, lexer);
  }

  next(): Token | undefined {
    const block = this.pending.pop();
    if (block === undefined) {
      this.inline.lexAll();
      return undefined;
    }
    this.inline.lexFor(block);
    return block;
  }
}

/**
 * marked's queue of inline work, run in its own order a prefix at a time. The queue also holds entries
 * whose tokens are in no block (the blockquote tokenizer lexes a quote again when a lazy line extends
 * it and drops the first tree); they are lexed too, in their place, because lexing carries state from
 * one entry to the next (an unclosed `<a>` tag stops bare URLs from becoming links after it).
 */
class InlineQueue {
  private readonly entries: Array<QueuedInline | undefined>;
  private readonly positions = new Map<Token[], number>();
  private lexed = 0;

  constructor(
    entries: QueuedInline[],
    private readonly lexer: Lexer,
  ) {
    this.entries = entries;
    entries.forEach((entry, index) => {
      this.positions.set(entry.tokens, index);
    });
  }

  /** Lexes the queue up to the last entry whose tokens are in `block`. */
  lexFor(block: Token): void {
    let end = this.lexed;
    for (const tokens of inlineTargets(block)) {
      const position = this.positions.get(tokens);
      if (position !== undefined && position >= end) end = position + 1;
    }
    this.lexUpTo(end);
  }

  lexAll(): void {
    this.lexUpTo(this.entries.length);
  }

  private lexUpTo(end: number): void {
    for (; this.lexed < end; this.lexed++) {
      const entry = this.entries[this.lexed];
      if (!entry) continue;
      this.entries[this.lexed] = undefined;
      if (this.positions.get(entry.tokens) === this.lexed) this.positions.delete(entry.tokens);
      // As marked's lex() does before each entry; other lexer state carries over, as it does there.
      this.lexer.state.inRawBlock = false;
      if (entry.tokens.length === 0 && isPlainInline(entry.src)) {
        // The token marked's inline lexer would make, without the dozen regexes it tries per word
        // (most of the garbage a long reply makes). Plain text changes no lexer state.
        if (entry.src !== '') entry.tokens.push(plainTextToken(entry.src));
        continue;
      }
      this.lexer.inlineTokens(entry.src, entry.tokens);
    }
  }
}

function plainTextToken(src: string): Tokens.Text {
  return { type: 'text', raw: src, text: src, escaped: false };
}

/** The token arrays under a block that the block pass queued for inline lexing. */
function inlineTargets(block: Token): Set<Token[]> {
  const targets = new Set<Token[]>();
  const walk = (token: Token) => {
    const t = token as Tokens.Generic;
    if (Array.isArray(t.tokens)) {
      targets.add(t.tokens);
      for (const child of t.tokens) walk(child);
    }
    if (t.type === 'list') for (const item of (t as Tokens.List).items) walk(item);
    if (t.type === 'table') {
      const table = t as Tokens.Table;
      for (const cell of table.header) targets.add(cell.tokens);
      for (const row of table.rows) for (const cell of row) targets.add(cell.tokens);
    }
  };
  walk(block);
  return targets;
}
