import type { Token, Tokens } from 'marked';
import type { MarkdownDialect } from '../contract.js';
import { readTopLevelBlocks } from './block-stream.js';
import { writerFor } from './dialects/index.js';
import { type MarkdownDocument, sourceDocument } from './document.js';
import { decodeCharacterReferences } from './entities.js';
import { plainParagraphs, renderPlainParagraph } from './plain-text.js';
import type { DialectWriter, InlineContext } from './writer.js';

const TOP: InlineContext = { inLink: false, formats: [] };

/**
 * Renders standard Markdown to a chat dialect. `markdown` returns the source unchanged; every other
 * dialect is rendered from the parsed tokens, so a document parsed once can be rendered many times.
 * A string is lexed and rendered a top-level block at a time (its whole token tree is never built).
 */
export function renderMarkdown(md: string | MarkdownDocument, dialect: MarkdownDialect): string {
  const document = typeof md === 'string' ? sourceDocument(md, 'renderMarkdown') : md;
  if (dialect === 'markdown') return document.source;
  const writer = writerFor(dialect);
  // A string without Markdown syntax needs no lexing; a parsed document has its tokens already.
  const paragraphs = typeof md === 'string' ? plainParagraphs(document.source) : undefined;
  if (paragraphs) {
    return writer.finish(
      paragraphs.map((lines) => renderPlainParagraph(lines, writer)).join(writer.blockSeparator),
    );
  }
  const blocks = readTopLevelBlocks(document);
  // The same parts and separators as renderBlocks over the whole token list.
  const parts: string[] = [];
  for (let token = blocks.next(); token !== undefined; token = blocks.next()) {
    const rendered = renderBlock(token, writer, 0);
    if (rendered !== '') parts.push(rendered);
  }
  return writer.finish(parts.join(writer.blockSeparator));
}

export function renderBlocks(tokens: readonly Token[], writer: DialectWriter, quoteDepth = 0): string {
  return joinBlocks(tokens, writer, writer.blockSeparator, quoteDepth);
}

function joinBlocks(
  tokens: readonly Token[],
  writer: DialectWriter,
  separator: string,
  quoteDepth: number,
): string {
  const parts: string[] = [];
  for (const token of tokens) {
    const rendered = renderBlock(token, writer, quoteDepth);
    if (rendered !== '') parts.push(rendered);
  }
  return parts.join(separator);
}

function renderBlock(token: Token, writer: DialectWriter, quoteDepth: number): string {
  const t = token as Tokens.Generic;
  switch (t.type) {
    case 'space':
    case 'def':
      return '';
    case 'paragraph':
      return writer.paragraph(renderInline((t as Tokens.Paragraph).tokens, writer));
    case 'text': {
      // Block-level text: the content of a tight list item.
      const text = t as Tokens.Text;
      return text.tokens ? renderInline(text.tokens, writer) : renderText(text.text, writer);
    }
    case 'heading': {
      const heading = t as Tokens.Heading;
      const context: InlineContext = { inLink: false, formats: writer.headingFormats };
      return writer.heading(renderInline(heading.tokens, writer, context), heading.depth);
    }
    case 'code': {
      const code = t as Tokens.Code;
      return writer.codeBlock(code.text, code.codeBlockStyle === 'indented' ? undefined : code.lang);
    }
    case 'blockquote':
      return writer.blockquote(
        renderBlocks((t as Tokens.Blockquote).tokens, writer, quoteDepth + 1),
        quoteDepth,
      );
    case 'list':
      return renderList(t as Tokens.List, writer, quoteDepth);
    case 'hr':
      return writer.hr();
    case 'table': {
      const table = t as Tokens.Table;
      const cells = (row: Tokens.TableCell[]) => row.map((cell) => renderInline(cell.tokens, writer));
      return writer.table(cells(table.header), table.rows.map(cells));
    }
    case 'html':
      return writer.htmlBlock((t as Tokens.HTML).text.replace(/\n+$/, ''));
    case 'checkbox':
      return writer.checkbox((t as Tokens.Checkbox).checked);
    default:
      return t.tokens ? renderInline(t.tokens, writer) : renderText(t.raw, writer);
  }
}

function renderList(list: Tokens.List, writer: DialectWriter, quoteDepth: number): string {
  const items = list.items.map((item) => {
    const separator = item.loose ? writer.blockSeparator : writer.tightSeparator;
    // A leading checkbox belongs on the item's first line, not in a block of its own.
    const [first, ...rest] = item.tokens;
    if (first?.type === 'checkbox') {
      const box = writer.checkbox((first as Tokens.Checkbox).checked);
      return box + joinBlocks(rest, writer, separator, quoteDepth);
    }
    return joinBlocks(item.tokens, writer, separator, quoteDepth);
  });
  const start = typeof list.start === 'number' ? list.start : 1;
  return writer.list({ items, ordered: list.ordered, start });
}

export function renderInline(tokens: readonly Token[], writer: DialectWriter, context = TOP): string {
  let out = '';
  for (const token of tokens) out += renderInlineToken(token, writer, context);
  return out;
}

function renderInlineToken(token: Token, writer: DialectWriter, context: InlineContext): string {
  const t = token as Tokens.Generic;
  switch (t.type) {
    case 'text':
      return t.tokens ? renderInline(t.tokens, writer, context) : renderText(t.text, writer);
    case 'escape':
      return writer.text(t.text);
    case 'strong':
    case 'em':
    case 'del': {
      const inner = renderInline(t.tokens ?? [], writer, {
        ...context,
        formats: [...context.formats, t.type],
      });
      return writer.format(t.type, inner, context);
    }
    case 'codespan':
      return writer.codespan(t.text, context);
    case 'br':
      return writer.hardBreak;
    case 'link': {
      const link = t as Tokens.Link;
      const inner = renderInline(link.tokens, writer, { ...context, inLink: true });
      const label = inlinePlainText(link.tokens);
      return writer.link({ href: link.href, inner, label, autolink: link.autolink === true }, context);
    }
    case 'image': {
      const image = t as Tokens.Image;
      return writer.image(image.href, decodeCharacterReferences(image.text), context);
    }
    case 'checkbox':
      return writer.checkbox(t.checked === true);
    case 'html':
      return writer.inlineHtml(t.raw);
    default:
      return renderText(t.raw, writer);
  }
}

function renderText(text: string, writer: DialectWriter): string {
  const decoded = decodeCharacterReferences(text);
  if (!decoded.includes('\n')) return writer.text(decoded);
  // Spaces around a soft line break are not content (CommonMark strips them).
  return decoded
    .split(/[ \t]*\n[ \t]*/)
    .map((line) => writer.text(line))
    .join(writer.softBreak);
}

/** The visible text of inline tokens, without any markup. */
export function inlinePlainText(tokens: readonly Token[]): string {
  let out = '';
  for (const token of tokens) {
    const t = token as Tokens.Generic;
    if (t.type === 'text' || t.type === 'escape') {
      out += t.tokens ? inlinePlainText(t.tokens) : decodeCharacterReferences(t.text);
    } else if (t.type === 'codespan') out += t.text;
    else if (t.type === 'br') out += '\n';
    else if (t.type === 'image') out += decodeCharacterReferences(t.text);
    else if (t.tokens) out += inlinePlainText(t.tokens);
    else if (t.type !== 'checkbox') out += t.raw;
  }
  return out;
}
