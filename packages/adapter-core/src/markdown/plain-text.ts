import type { DialectWriter } from './writer.js';

/**
 * Text that holds no Markdown syntax at all: paragraphs of plain lines. Most short chat replies are
 * like this ("Done.", "Hello there, how can I help?"), and for them lexing, the block stream and the
 * split machinery are pure overhead. The rules are strict on purpose: anything that might be syntax
 * sends the text down the lexing path, which gives the same output for plain text (property-tested).
 */

// Inline openers (escape, code, emphasis, strikethrough, links, autolinks, HTML, entities, e-mail and
// URL autolinks) and table pipes. Control characters are checked apart (see `hasControlCharacter`).
const NOT_PLAIN = /[\\`*_~[\]<&@|\u2028\u2029]|:\/\/|www\./i;
// A line must not start like a block: indentation, a heading, a quote, a list marker ("-", "+",
// "1.", "12)"), a setext underline or a thematic break ("=", "-"). The other openers are excluded
// everywhere above. It must not end with a space either (a hard break, or spaces lexing would strip).
const BLOCK_START = /^(?:\s|[#>+=-]|\d+[.)])/;
const LINE_END_SPACE = /\s$/;

/**
 * The paragraphs of `source` (line endings already normalised), each as its lines, when the text is
 * plain; undefined when it may hold Markdown. A whitespace-only text gives no paragraphs.
 */
export function plainParagraphs(source: string): string[][] | undefined {
  if (NOT_PLAIN.test(source) || hasControlCharacter(source)) return undefined;
  const paragraphs: string[][] = [];
  let current: string[] | undefined;
  for (const line of source.split('\n')) {
    if (line === '') {
      current = undefined;
      continue;
    }
    if (!isPlainLine(line)) return undefined;
    if (current) current.push(line);
    else {
      current = [line];
      paragraphs.push(current);
    }
  }
  return paragraphs;
}

/** ASCII controls other than the newline (a tab expands, a NUL is replaced) and DEL. */
function hasControlCharacter(source: string): boolean {
  for (let i = 0; i < source.length; i++) {
    const code = source.charCodeAt(i);
    if ((code < 0x20 && code !== 0x0a) || code === 0x7f) return true;
  }
  return false;
}

function isPlainLine(line: string): boolean {
  return !BLOCK_START.test(line) && !LINE_END_SPACE.test(line);
}

// What marked's inline lexer acts on, besides text: the openers above, a hard break (two spaces before
// a newline) and the starts of URL and e-mail autolinks.
const INLINE_SYNTAX = /[\\`*_~[\]<&@]|:\/\/|www\.| {2,}\n/i;

/**
 * Inline source in which marked finds nothing but text: its inline lexer would return one text token
 * holding all of it (raw and text equal, as no `&` means no character reference to decode).
 */
export function isPlainInline(src: string): boolean {
  return !INLINE_SYNTAX.test(src);
}

/** One paragraph rendered as the token walk renders it (its text token, soft breaks between lines). */
export function renderPlainParagraph(lines: readonly string[], writer: DialectWriter): string {
  const parts: string[] = [];
  for (const line of lines) parts.push(writer.text(line));
  return writer.paragraph(parts.join(writer.softBreak));
}

/** The Markdown of a plain text as one chunk: the lexing path drops the blank lines around it. */
export function trimBlankLines(source: string): string {
  let start = 0;
  let end = source.length;
  while (start < end && source.charCodeAt(start) === 10) start++;
  while (end > start && source.charCodeAt(end - 1) === 10) end--;
  return source.slice(start, end);
}
