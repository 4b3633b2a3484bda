/**
 * Escapes for the dialects core renders. Each one escapes only what its platform parses, so the
 * rendered text grows as little as possible (every added character counts against the limit).
 */

const HTML_ALL = /[&<>"']/g;
const HTML_TEXT = /[&<>]/g;
const HTML_ATTRIBUTE = /[&<>"]/g;
const ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const toEntity = (ch: string): string => ENTITY[ch] ?? ch;
const TEXT_SPECIAL = /[&<>]/;

// Most text has nothing to escape: testing first skips building a new string.
const escapeText = (s: string): string => (TEXT_SPECIAL.test(s) ? s.replace(HTML_TEXT, toEntity) : s);

/** Safe in HTML text and in quoted attributes: escapes & < > " and '. */
export function escapeHtml(s: string): string {
  return s.replace(HTML_ALL, toEntity);
}

/** Text content of a Telegram Bot API HTML message: Telegram only needs & < > escaped. */
export function escapeTelegramHtml(s: string): string {
  return escapeText(s);
}

/** Slack mrkdwn control characters: & < > become entities, nothing else is touched. */
export function escapeSlackMrkdwn(s: string): string {
  return escapeText(s);
}

/** HTML text content without touching quotes (shorter than `escapeHtml`). */
export function escapeHtmlText(s: string): string {
  return escapeText(s);
}

/** A double-quoted attribute value. */
export function escapeHtmlAttribute(s: string): string {
  return s.replace(HTML_ATTRIBUTE, toEntity);
}

// Characters that can open inline Markdown syntax anywhere in a line.
const MARKDOWN_INLINE_SPECIAL = /[\\`*_[\]<>&~|]/g;

/**
 * Markdown source that reads back as exactly `text`: inline syntax characters get a backslash, and so
 * do the bits that would turn a bare URL or e-mail address into a link (GFM autolinks).
 */
export function escapeMarkdownLiteral(text: string): string {
  const escaped = text
    .replace(MARKDOWN_INLINE_SPECIAL, '\\$&')
    .replace(/(?<=[a-zA-Z])(?=:\/\/)/g, '\\')
    .replace(/(?<=\bwww)(?=\.)/gi, '\\')
    .replace(/@/g, '\\@');
  return escapeMarkdownLineStart(escaped);
}

// Openers a line may not start with once it begins a chunk: headings, list markers, quotes, fences,
// thematic breaks, HTML blocks and link reference definitions. Autolinks, links and code spans are
// left alone: escaping their first character would break them.
const LINE_START_SYNTAX =
  /^(?:#{1,6}(?=\s|$)|[-+*](?=\s|$)|\d{1,9}(?=[.)](?:\s|$))|>|`{3,}(?=[^`]*$)|~{3,}|[-*_=](?=[-*_=\s]*$)|<(?![a-zA-Z][a-zA-Z0-9+.-]{1,31}:)(?=[a-zA-Z/!?])|\[(?=[^\]]*\]:))/;

/**
 * Makes Markdown text that was in the middle of a paragraph safe to start a chunk with: text such as
 * "- " or "2. " would otherwise start a list there, and "```" a fence.
 */
export function escapeMarkdownLineStart(md: string): string {
  const match = LINE_START_SYNTAX.exec(md);
  if (!match) return md;
  const at = /^\d/.test(match[0]) ? match[0].length : 0;
  return `${md.slice(0, at)}\\${md.slice(at)}`;
}
