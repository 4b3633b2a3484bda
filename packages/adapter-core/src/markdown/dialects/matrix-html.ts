import { escapeHtmlAttribute, escapeHtmlText } from '../escape.js';
import { codeLanguage, type DialectWriter, hasAllowedScheme, type InlineFormat } from '../writer.js';

// Matrix `formatted_body` (format org.matrix.custom.html): the spec's suggested tag set includes
// p, h1-h6, strong, em, del, code, pre, blockquote, ul/ol/li, a, img (mxc: sources only), hr, br and
// tables. Raw HTML from the model is escaped rather than trusted.
const TAG: Record<InlineFormat, string> = { strong: 'strong', em: 'em', del: 'del' };
const LINK_SCHEMES = new Set(['http', 'https', 'ftp', 'mailto', 'magnet']);

export const matrixHtmlWriter: DialectWriter = {
  // Chat users mean a newline when they type one; clients such as Element render them as <br>.
  softBreak: '<br>',
  hardBreak: '<br>',
  blockSeparator: '\n',
  tightSeparator: '\n',
  headingFormats: [],
  text: escapeHtmlText,
  code: escapeHtmlText,
  format: (kind, inner) => (inner === '' ? '' : `<${TAG[kind]}>${inner}</${TAG[kind]}>`),
  codespan: (code) => `<code>${escapeHtmlText(code)}</code>`,
  link: ({ href, inner, label, autolink }) => {
    if (!hasAllowedScheme(href, LINK_SCHEMES)) {
      return autolink || label === href ? inner : `${inner} (${escapeHtmlText(href)})`;
    }
    return `<a href="${escapeHtmlAttribute(href)}">${inner}</a>`;
  },
  image: (href, alt) => {
    if (href.startsWith('mxc://'))
      return `<img src="${escapeHtmlAttribute(href)}" alt="${escapeHtmlAttribute(alt)}">`;
    const label = escapeHtmlText(alt || href);
    return hasAllowedScheme(href, LINK_SCHEMES)
      ? `<a href="${escapeHtmlAttribute(href)}">${label}</a>`
      : label;
  },
  checkbox: (checked) => (checked ? '☑ ' : '☐ '),
  inlineHtml: escapeHtmlText,
  paragraph: (inner) => `<p>${inner}</p>`,
  heading: (inner, depth) => `<h${depth}>${inner}</h${depth}>`,
  codeBlock: (code, lang) => {
    const language = codeLanguage(lang);
    const attribute = language ? ` class="language-${escapeHtmlAttribute(language)}"` : '';
    return `<pre><code${attribute}>${escapeHtmlText(code)}</code></pre>`;
  },
  blockquote: (inner) => `<blockquote>\n${inner}\n</blockquote>`,
  list: ({ items, ordered, start }) => {
    const body = items.map((item) => `<li>${item}</li>`).join('\n');
    if (!ordered) return `<ul>\n${body}\n</ul>`;
    return start === 1 ? `<ol>\n${body}\n</ol>` : `<ol start="${start}">\n${body}\n</ol>`;
  },
  hr: () => '<hr>',
  table: (header, rows) => {
    const row = (cells: string[], tag: 'th' | 'td') =>
      `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
    const body = rows.length > 0 ? `\n<tbody>\n${rows.map((r) => row(r, 'td')).join('\n')}\n</tbody>` : '';
    return `<table>\n<thead>\n${row(header, 'th')}\n</thead>${body}\n</table>`;
  },
  htmlBlock: (raw) => `<p>${escapeHtmlText(raw).replace(/\n/g, '<br>')}</p>`,
  finish: (rendered) => rendered,
};
