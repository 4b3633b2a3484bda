/**
 * What a dialect decides; the token walk in render.ts is shared. Every method receives already
 * rendered children, so a writer only knows its own markup and escaping.
 */
export interface InlineContext {
  /** Inside a link label: Telegram and Slack allow no code entity there. */
  readonly inLink: boolean;
  /** Formatting entities open around this point, outermost first ('strong', 'em', 'del'). */
  readonly formats: readonly InlineFormat[];
}

export type InlineFormat = 'strong' | 'em' | 'del';

export interface LinkParts {
  href: string;
  /** The label rendered in this dialect. */
  inner: string;
  /** The label as plain text (Slack labels and fallbacks). */
  label: string;
  /** The label is the URL itself (`<https://…>` or a bare GFM URL). */
  autolink: boolean;
}

export interface ListParts {
  /** Each item's content, already rendered (may span several lines). */
  items: string[];
  ordered: boolean;
  start: number;
}

export interface DialectWriter {
  readonly softBreak: string;
  readonly hardBreak: string;
  /** Between two top-level blocks (and blocks of a loose list item). */
  readonly blockSeparator: string;
  /** Between blocks of a tight list item (its text and a nested list). */
  readonly tightSeparator: string;
  text(s: string): string;
  /** Text inside code spans and code blocks. */
  code(s: string): string;
  format(kind: InlineFormat, inner: string, context: InlineContext): string;
  codespan(code: string, context: InlineContext): string;
  link(parts: LinkParts, context: InlineContext): string;
  image(href: string, alt: string, context: InlineContext): string;
  checkbox(checked: boolean): string;
  inlineHtml(raw: string): string;

  paragraph(inner: string): string;
  heading(inner: string, depth: number): string;
  /** Inline context headings are rendered in (a bold heading makes nested bold redundant). */
  readonly headingFormats: readonly InlineFormat[];
  codeBlock(code: string, language: string | undefined): string;
  /** `depth` counts enclosing quotes: Telegram cannot nest them. */
  blockquote(inner: string, depth: number): string;
  list(parts: ListParts): string;
  hr(): string;
  table(header: string[], rows: string[][]): string;
  htmlBlock(raw: string): string;
  /** Final touch on the whole rendered text (e.g. dropping empty tag pairs). */
  finish(rendered: string): string;
}

export function prefixLines(text: string, prefix: string, emptyPrefix = prefix.trimEnd()): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? emptyPrefix : prefix + line))
    .join('\n');
}

/** Lists for dialects without list markup: one item a line, continuation lines under the item text. */
export function renderTextList(parts: ListParts, bullet: string): string {
  return parts.items
    .map((item, index) => {
      const marker = parts.ordered ? `${parts.start + index}. ` : `${bullet} `;
      const indent = ' '.repeat(marker.length);
      const [first = '', ...rest] = item.split('\n');
      return [marker + first, ...rest.map((line) => (line === '' ? '' : indent + line))].join('\n');
    })
    .join('\n');
}

/** Tables for dialects without table markup: a row a line, cells joined by a bar. */
export function renderTextTable(
  header: string[],
  rows: string[][],
  headerStyle: (s: string) => string,
): string {
  const lines = [header.map(headerStyle).join(' | ')];
  for (const row of rows) lines.push(row.join(' | '));
  return lines.join('\n');
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/** True when the URL has one of the given schemes (lower case, without the colon). */
export function hasAllowedScheme(href: string, schemes: ReadonlySet<string>): boolean {
  const match = SCHEME.exec(href.trim());
  return match !== null && schemes.has((match[1] ?? '').toLowerCase());
}

/** The language of a fenced block: the first word of its info string. */
export function codeLanguage(lang: string | undefined): string | undefined {
  const first = lang?.trim().split(/\s+/)[0];
  return first ? first : undefined;
}
