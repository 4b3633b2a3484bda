import { type DialectWriter, prefixLines, renderTextList, renderTextTable } from '../writer.js';

/**
 * Plain text: formatting dropped, structure kept with ASCII (SMS, Signal, and the fallback after a
 * platform rejected formatting). Link targets stay visible because the reader cannot click a label.
 */
export const plainWriter: DialectWriter = {
  softBreak: '\n',
  hardBreak: '\n',
  blockSeparator: '\n\n',
  tightSeparator: '\n',
  headingFormats: [],
  text: (s) => s,
  code: (s) => s,
  format: (_kind, inner) => inner,
  codespan: (code) => code,
  link: ({ href, inner, label, autolink }) =>
    autolink || href === '' || label === href ? inner : `${inner} (${href})`,
  image: (href, alt) => (alt ? `${alt} (${href})` : href),
  checkbox: (checked) => (checked ? '[x] ' : '[ ] '),
  inlineHtml: (raw) => raw,
  paragraph: (inner) => inner,
  heading: (inner) => inner,
  codeBlock: (code) => code,
  blockquote: (inner) => prefixLines(inner, '> '),
  list: (parts) => renderTextList(parts, '-'),
  hr: () => '---',
  table: (header, rows) => renderTextTable(header, rows, (cell) => cell),
  htmlBlock: (raw) => raw,
  finish: (rendered) => rendered,
};
