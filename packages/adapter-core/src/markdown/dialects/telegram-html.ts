import { escapeHtmlAttribute, escapeTelegramHtml } from '../escape.js';
import {
  codeLanguage,
  type DialectWriter,
  hasAllowedScheme,
  type InlineFormat,
  renderTextList,
  renderTextTable,
} from '../writer.js';

// Telegram Bot API HTML (parse_mode "HTML"): b, i, s, u, code, pre, pre>code.language-x, a href,
// blockquote. No lists, headings or tables, so those become text. Entity rules that shape this file:
// code and pre may not sit inside other entities, and blockquotes may not nest.
const TAG: Record<InlineFormat, string> = { strong: 'b', em: 'i', del: 's' };
const LINK_SCHEMES = new Set(['http', 'https', 'tg', 'mailto']);

const open = (formats: readonly InlineFormat[]) => formats.map((f) => `<${TAG[f]}>`).join('');
const close = (formats: readonly InlineFormat[]) =>
  [...formats]
    .reverse()
    .map((f) => `</${TAG[f]}>`)
    .join('');

const EMPTY_PAIR = /<(b|i|s)><\/\1>/g;

export const telegramHtmlWriter: DialectWriter = {
  softBreak: '\n',
  hardBreak: '\n',
  blockSeparator: '\n\n',
  tightSeparator: '\n',
  headingFormats: ['strong'],
  text: escapeTelegramHtml,
  code: escapeTelegramHtml,
  format: (kind, inner, context) =>
    inner === '' || context.formats.includes(kind) ? inner : `<${TAG[kind]}>${inner}</${TAG[kind]}>`,
  codespan: (code, context) => {
    const escaped = escapeTelegramHtml(code);
    if (context.inLink) return escaped;
    // Close the surrounding formatting around the code entity and reopen it after.
    return `${close(context.formats)}<code>${escaped}</code>${open(context.formats)}`;
  },
  link: ({ href, inner, label, autolink }) => {
    if (!hasAllowedScheme(href, LINK_SCHEMES)) {
      return autolink || label === href ? inner : `${inner} (${escapeTelegramHtml(href)})`;
    }
    return `<a href="${escapeHtmlAttribute(href)}">${inner}</a>`;
  },
  image: (href, alt) => {
    const label = escapeTelegramHtml(alt || href);
    return hasAllowedScheme(href, LINK_SCHEMES)
      ? `<a href="${escapeHtmlAttribute(href)}">${label}</a>`
      : label;
  },
  checkbox: (checked) => (checked ? '☑ ' : '☐ '),
  inlineHtml: escapeTelegramHtml,
  paragraph: (inner) => inner,
  heading: (inner) => (inner === '' ? '' : `<b>${inner}</b>`),
  codeBlock: (code, lang) => {
    const language = codeLanguage(lang);
    const body = escapeTelegramHtml(code);
    return language
      ? `<pre><code class="language-${escapeHtmlAttribute(language)}">${body}</code></pre>`
      : `<pre>${body}</pre>`;
  },
  blockquote: (inner, depth) => (depth > 0 || inner === '' ? inner : `<blockquote>${inner}</blockquote>`),
  list: (parts) => renderTextList(parts, '•'),
  hr: () => '———',
  table: (header, rows) => renderTextTable(header, rows, (cell) => (cell === '' ? '' : `<b>${cell}</b>`)),
  htmlBlock: escapeTelegramHtml,
  finish: (rendered) => {
    let out = rendered;
    // Closing formatting around code can leave empty pairs ("<b></b>"); nested ones need a few passes.
    for (let previous = ''; previous !== out; ) {
      previous = out;
      out = out.replace(EMPTY_PAIR, '');
    }
    return out;
  },
};
