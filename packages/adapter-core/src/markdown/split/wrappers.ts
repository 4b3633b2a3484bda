import { prefixLines } from '../writer.js';
import type { Wrapper } from './segment.js';

/** Inline leaves of one paragraph (or of a tight list item's text). */
export function paragraphWrapper(): Wrapper {
  return { kind: 'paragraph', outer: 'block', inner: 'inline', wrap: (content) => content };
}

/** An ATX heading; every chunk holding part of a long heading repeats the marker. */
export function headingWrapper(depth: number): Wrapper {
  const marker = `${'#'.repeat(depth)} `;
  return { kind: 'heading', outer: 'block', inner: 'inline', wrap: (content) => marker + content };
}

/** A fenced code block, closed and reopened with the same info string around each run of its lines. */
export function fenceWrapper(fence: string, info: string): Wrapper {
  return {
    kind: 'fence',
    outer: 'block',
    inner: 'code',
    wrap: (content) => `${fence}${info}\n${content}\n${fence}`,
  };
}

/** The shortest fence of `char` that no line of the code can close early. */
export function safeFence(code: string, char: '`' | '~', atLeast = 3): string {
  let longest = 0;
  const run = char === '`' ? /^ {0,3}(`+)/gm : /^ {0,3}(~+)/gm;
  for (const match of code.matchAll(run)) longest = Math.max(longest, match[1]?.length ?? 0);
  return char.repeat(Math.max(atLeast, longest + 1));
}

export function quoteWrapper(): Wrapper {
  return {
    kind: 'quote',
    outer: 'block',
    inner: 'block',
    wrap: (content) => prefixLines(content, '> ', '>'),
  };
}

/**
 * A list item. Its marker goes only where the item starts; a chunk continuing a long item carries the
 * rest as plain blocks (repeating the marker would show a new bullet or a wrong number).
 */
export function itemWrapper(marker: string, indentWidth: number): Wrapper {
  const indent = ' '.repeat(indentWidth);
  return {
    kind: 'item',
    outer: 'block',
    // Measured against inline content: most items are tight, where the text has no <p> of its own.
    inner: 'inline',
    wrap: (content, opensHere) => {
      if (!opensHere) return content;
      const [first = '', ...rest] = content.split('\n');
      return [marker + first, ...rest.map((line) => (line === '' ? '' : indent + line))].join('\n');
    },
  };
}

/** Bold, italic or strikethrough, closed and reopened with the source's own delimiters. */
export function emphasisWrapper(open: string, close: string): Wrapper {
  return { kind: 'emphasis', outer: 'inline', inner: 'inline', wrap: (content) => open + content + close };
}

/** A code span too long for one chunk, split into several spans. */
export function codespanWrapper(): Wrapper {
  return {
    kind: 'codespan',
    outer: 'inline',
    inner: 'code',
    wrap: (content) => {
      let longest = 0;
      for (const match of content.matchAll(/`+/g)) longest = Math.max(longest, match[0].length);
      const ticks = '`'.repeat(longest + 1);
      // A space pad keeps a leading or trailing backtick (or space pair) part of the content.
      const pad = /^[` ]|[` ]$/.test(content) ? ' ' : '';
      return ticks + pad + content + pad + ticks;
    },
  };
}

/** A table split between rows: each chunk repeats the header and delimiter lines. */
export function tableWrapper(head: string): Wrapper {
  return { kind: 'table', outer: 'block', inner: 'row', wrap: (content) => `${head}\n${content}` };
}
