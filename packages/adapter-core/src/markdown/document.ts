import { Lexer, type Links, type Token, type TokensList } from 'marked';
import { AdapterError } from '../errors.js';

/**
 * A parsed Markdown text. Parse once with `parseMarkdown`, then render it to several dialects
 * (Matrix sends `body` and `formatted_body` from the same text) or split it.
 */
export interface MarkdownDocument {
  /** The source with line endings normalised to `\n`. */
  readonly source: string;
}

/**
 * Options for a new lexer. Each lexer gets its own object: marked stores its tokenizer in the options
 * and the tokenizer points back at the lexer, so one shared options object kept the last lexer, and
 * the whole token tree of the last document it lexed, alive until the next lex.
 */
export function lexerOptions(): { gfm: true; breaks: false } {
  return { gfm: true, breaks: false };
}

// The token tree stays private so the public type does not leak the parser's types.
const tokensByDocument = new WeakMap<MarkdownDocument, TokensList>();

export function parseMarkdown(md: string): MarkdownDocument {
  const document = sourceDocument(md, 'parseMarkdown');
  tokensByDocument.set(document, new Lexer(lexerOptions()).lex(document.source));
  return document;
}

/**
 * A document that is not lexed yet: splitting and rendering read it a top-level block at a time
 * (see block-stream.ts), so the token tree of the whole text never exists at once.
 */
export function sourceDocument(md: string, caller: string): MarkdownDocument {
  if (typeof md !== 'string') {
    throw new AdapterError('bad_request', `${caller} expects a string, got ${typeof md}`, {
      fix: 'pass the message text as a string',
    });
  }
  return Object.freeze({ source: normalizeLineEndings(md) });
}

export function normalizeLineEndings(md: string): string {
  return md.includes('\r') ? md.replace(/\r\n?/g, '\n') : md;
}

/** The token tree of a document from `parseMarkdown`; any other document is read block by block. */
export function parsedTokens(document: MarkdownDocument): TokensList | undefined {
  return tokensByDocument.get(document);
}

/**
 * Lexes a chunk cut from a document. Reference definitions of the whole document are seeded so that
 * `[text][ref]` still resolves in a chunk that does not hold its definition.
 */
export function lexFragment(md: string, links: Links): Token[] {
  const lexer = new Lexer(lexerOptions());
  Object.assign(lexer.tokens.links, links);
  return lexer.lex(md);
}

/** Inline tokens of a Markdown fragment (no paragraph around it). */
export function lexInlineFragment(md: string, links: Links): Token[] {
  const lexer = new Lexer(lexerOptions());
  Object.assign(lexer.tokens.links, links);
  return lexer.inlineTokens(md);
}
