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

const LEXER_OPTIONS = { gfm: true, breaks: false } as const;

// The token tree stays private so the public type does not leak the parser's types.
const tokensByDocument = new WeakMap<MarkdownDocument, TokensList>();

export function parseMarkdown(md: string): MarkdownDocument {
  if (typeof md !== 'string') {
    throw new AdapterError('bad_request', `parseMarkdown expects a string, got ${typeof md}`, {
      fix: 'pass the message text as a string',
    });
  }
  const source = md.includes('\r') ? md.replace(/\r\n?/g, '\n') : md;
  const document: MarkdownDocument = Object.freeze({ source });
  tokensByDocument.set(document, new Lexer(LEXER_OPTIONS).lex(source));
  return document;
}

export function toDocument(md: string | MarkdownDocument): MarkdownDocument {
  return typeof md === 'string' ? parseMarkdown(md) : md;
}

/** The block tokens of a document; a hand-made `{ source }` object is lexed on first use. */
export function documentTokens(document: MarkdownDocument): TokensList {
  let tokens = tokensByDocument.get(document);
  if (!tokens) {
    tokens = new Lexer(LEXER_OPTIONS).lex(document.source);
    tokensByDocument.set(document, tokens);
  }
  return tokens;
}

/**
 * Lexes a chunk cut from a document. Reference definitions of the whole document are seeded so that
 * `[text][ref]` still resolves in a chunk that does not hold its definition.
 */
export function lexFragment(md: string, links: Links): Token[] {
  const lexer = new Lexer(LEXER_OPTIONS);
  Object.assign(lexer.tokens.links, links);
  return lexer.lex(md);
}

/** Inline tokens of a Markdown fragment (no paragraph around it). */
export function lexInlineFragment(md: string, links: Links): Token[] {
  const lexer = new Lexer(LEXER_OPTIONS);
  Object.assign(lexer.tokens.links, links);
  return lexer.inlineTokens(md);
}
