/** The styles signal-cli's `send` takes as `start:length:STYLE` (UTF-16 units). SPOILER is never produced. */
export type SignalTextStyle = 'BOLD' | 'ITALIC' | 'STRIKETHROUGH' | 'MONOSPACE';

const TAG_STYLE: Readonly<Record<string, SignalTextStyle>> = {
  strong: 'BOLD',
  b: 'BOLD',
  h1: 'BOLD',
  h2: 'BOLD',
  h3: 'BOLD',
  h4: 'BOLD',
  h5: 'BOLD',
  h6: 'BOLD',
  em: 'ITALIC',
  i: 'ITALIC',
  del: 'STRIKETHROUGH',
  s: 'STRIKETHROUGH',
  code: 'MONOSPACE',
};

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

function decodeEntities(text: string): string {
  return text.includes('&')
    ? text.replace(/&(amp|lt|gt|quot|#39);/g, (_m, name: string) => ENTITIES[name] ?? _m)
    : text;
}

interface Range {
  start: number;
  length: number;
  style: SignalTextStyle;
}

/**
 * Style ranges for `plain`, the text that is actually sent. Core renders one Markdown chunk twice: to plain
 * text (what Signal shows) and to HTML (where emphasis is still marked). Each HTML text node is found in the
 * plain text at or after the previous one, and the styles open around it become ranges there. Plain-only
 * decorations (list bullets, link targets in brackets) are simply skipped; a node that cannot be found
 * gets no style rather than a wrong one, so the text itself never depends on this.
 */
export function deriveSignalTextStyles(plain: string, html: string): string[] {
  const open = new Map<SignalTextStyle, number>();
  const ranges: Range[] = [];
  let cursor = 0;
  for (const match of html.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>|[^<]+/g)) {
    const [whole, closing, tag] = match;
    if (tag !== undefined) {
      const style = TAG_STYLE[tag.toLowerCase()];
      if (style === undefined) continue;
      const depth = open.get(style) ?? 0;
      open.set(style, closing === '/' ? Math.max(0, depth - 1) : depth + 1);
      continue;
    }
    const text = decodeEntities(whole);
    if (text.trim() === '') {
      // Whitespace between blocks has no counterpart to anchor on.
      continue;
    }
    const at = plain.indexOf(text, cursor);
    if (at < 0) continue;
    cursor = at + text.length;
    for (const [style, depth] of open) {
      if (depth > 0) addRange(ranges, { start: at, length: text.length, style });
    }
  }
  return ranges.map((r) => `${r.start}:${r.length}:${r.style}`);
}

/** Joins a range onto the previous one of the same style when they touch. */
function addRange(ranges: Range[], next: Range): void {
  for (let i = ranges.length - 1; i >= 0; i -= 1) {
    const previous = ranges[i]!;
    if (previous.style !== next.style) continue;
    if (previous.start + previous.length === next.start) {
      previous.length += next.length;
      return;
    }
    break;
  }
  ranges.push(next);
}
