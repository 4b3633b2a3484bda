import { escapeSlackMrkdwn } from '../escape.js';
import {
  type DialectWriter,
  hasAllowedScheme,
  type InlineFormat,
  prefixLines,
  renderTextList,
  renderTextTable,
} from '../writer.js';

// Slack mrkdwn: *bold*, _italic_, ~strike~, `code`, ```pre```, <url|label>, "> " quotes. There is no
// escape for * _ ~ themselves; & < > must be entities everywhere, URLs included.
const MARK: Record<InlineFormat, string> = { strong: '*', em: '_', del: '~' };
const LINK_SCHEMES = new Set(['http', 'https', 'mailto', 'tel', 'slack']);

// A "|" ends the URL part of <url|label>, so it cannot stay raw inside the URL.
const slackUrl = (href: string) => escapeSlackMrkdwn(href).replace(/\|/g, '%7C');

export const slackMrkdwnWriter: DialectWriter = {
  softBreak: '\n',
  hardBreak: '\n',
  blockSeparator: '\n\n',
  tightSeparator: '\n',
  headingFormats: ['strong'],
  text: escapeSlackMrkdwn,
  code: escapeSlackMrkdwn,
  format: (kind, inner, context) => {
    // The same marker inside itself would close the outer span early.
    if (inner.trim() === '' || context.formats.includes(kind)) return inner;
    return `${MARK[kind]}${inner}${MARK[kind]}`;
  },
  codespan: (code, context) =>
    context.inLink || code === '' ? escapeSlackMrkdwn(code) : `\`${escapeSlackMrkdwn(code)}\``,
  link: ({ href, inner, label, autolink }) => {
    if (!hasAllowedScheme(href, LINK_SCHEMES)) {
      return autolink || label === href ? inner : `${inner} (${escapeSlackMrkdwn(href)})`;
    }
    // Labels are plain text: Slack does not format inside <url|label>.
    return autolink || label === href || label === ''
      ? `<${slackUrl(href)}>`
      : `<${slackUrl(href)}|${escapeSlackMrkdwn(label.replace(/\n/g, ' '))}>`;
  },
  image: (href, alt) => {
    if (!hasAllowedScheme(href, LINK_SCHEMES)) return escapeSlackMrkdwn(alt || href);
    return alt ? `<${slackUrl(href)}|${escapeSlackMrkdwn(alt)}>` : `<${slackUrl(href)}>`;
  },
  checkbox: (checked) => (checked ? '☑ ' : '☐ '),
  inlineHtml: escapeSlackMrkdwn,
  paragraph: (inner) => inner,
  heading: (inner) => (inner.trim() === '' ? inner : `*${inner}*`),
  codeBlock: (code) => `\`\`\`\n${escapeSlackMrkdwn(code)}\n\`\`\``,
  blockquote: (inner) => prefixLines(inner, '> ', '>'),
  list: (parts) => renderTextList(parts, '•'),
  hr: () => '———',
  table: (header, rows) => renderTextTable(header, rows, (cell) => (cell.trim() === '' ? cell : `*${cell}*`)),
  htmlBlock: escapeSlackMrkdwn,
  finish: (rendered) => rendered,
};
