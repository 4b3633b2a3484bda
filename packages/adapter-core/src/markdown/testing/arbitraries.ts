import fc from 'fast-check';
import { escapeHtml } from '../escape.js';
import { measureLength } from '../length.js';

/**
 * Random Markdown for the split properties: paragraphs, headings, lists (nested, ordered), fences with
 * languages, quotes, inline code, emphasis, links, CJK and emoji (which count differently per unit),
 * and `<` / `&` that grow under HTML escaping. `maxWord` bounds every word's worst-case rendered size
 * (UTF-8 bytes after HTML escaping) so the word-order property can require that no word is cut.
 */
export interface MarkdownShape {
  maxWord: number;
  /** Links only when a whole link (or its URL alone) fits a chunk. */
  links: boolean;
}

const LATIN = 'abcdefghijklmnopqrstuvwxyz';
const CJK = [...'漢字文本测试日本語中文한국어'];
const EMOJI = ['😀', '👍', '🎉', '👍🏽', '❤️', '🚀'];

function worstSize(word: string): number {
  return measureLength(escapeHtml(word), 'byte');
}

export function wordArb(maxWord: number): fc.Arbitrary<string> {
  const latin = fc.string({ unit: fc.constantFrom(...LATIN), minLength: 1, maxLength: 10 });
  const cjk = fc.string({ unit: fc.constantFrom(...CJK), minLength: 1, maxLength: 3 });
  const emoji = fc.string({ unit: fc.constantFrom(...EMOJI), minLength: 1, maxLength: 2 });
  const digits = fc.integer({ min: 0, max: 9999 }).map(String);
  const growing = fc.constantFrom('a<b', 'x&y', '<', '&', 'R&D', 'i<j');
  return fc
    .oneof(
      { arbitrary: latin, weight: 6 },
      { arbitrary: cjk, weight: 2 },
      { arbitrary: emoji, weight: 1 },
      { arbitrary: digits, weight: 1 },
      { arbitrary: growing, weight: 2 },
    )
    .filter((word) => worstSize(word) <= maxWord);
}

function words(shape: MarkdownShape, max: number): fc.Arbitrary<string> {
  return fc.array(wordArb(shape.maxWord), { minLength: 1, maxLength: max }).map((ws) => ws.join(' '));
}

function inlineArb(shape: MarkdownShape): fc.Arbitrary<string> {
  const w = wordArb(shape.maxWord);
  const options: Array<fc.WeightedArbitrary<string>> = [
    { arbitrary: w, weight: 10 },
    { arbitrary: words(shape, 4).map((s) => `**${s}**`), weight: 2 },
    { arbitrary: words(shape, 3).map((s) => `*${s}*`), weight: 2 },
    { arbitrary: words(shape, 3).map((s) => `~~${s}~~`), weight: 1 },
    { arbitrary: fc.tuple(words(shape, 2), words(shape, 2)).map(([a, b]) => `**${a} *${b}***`), weight: 1 },
    { arbitrary: words(shape, 3).map((s) => `\`${s}\``), weight: 2 },
  ];
  if (shape.links) {
    const url = fc
      .tuple(fc.constantFrom('a', 'docs', 'x'), fc.integer({ min: 0, max: 99 }))
      .map(([path, n]) => `https://ex.io/${path}?q=${n}&r=1`);
    options.push({
      arbitrary: fc.tuple(words(shape, 2), url).map(([label, href]) => `[${label}](${href})`),
      weight: 2,
    });
  }
  return fc.oneof(...options);
}

function lineArb(shape: MarkdownShape): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.array(inlineArb(shape), { minLength: 1, maxLength: 14 }),
      fc.constantFrom('', '.', '!', '?', '。'),
    )
    .map(([parts, end]) => parts.join(' ') + end);
}

function paragraphArb(shape: MarkdownShape): fc.Arbitrary<string> {
  // Several sentences on a line and several lines in a paragraph: every break rank occurs.
  const sentenceLine = fc.array(lineArb(shape), { minLength: 1, maxLength: 4 }).map((ls) => ls.join(' '));
  return fc.array(sentenceLine, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('\n'));
}

function headingArb(shape: MarkdownShape): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: 1, max: 4 }), lineArb(shape))
    .map(([depth, text]) => `${'#'.repeat(depth)} ${text}`);
}

function listArb(shape: MarkdownShape): fc.Arbitrary<string> {
  const item = fc.tuple(lineArb(shape), fc.option(lineArb(shape), { nil: undefined }));
  return fc.tuple(fc.boolean(), fc.array(item, { minLength: 1, maxLength: 6 })).map(([ordered, items]) =>
    items
      .map(([text, nested], index) => {
        const marker = ordered ? `${index + 1}. ` : '- ';
        const pad = ' '.repeat(marker.length);
        return nested === undefined ? marker + text : `${marker}${text}\n${pad}- ${nested}`;
      })
      .join('\n'),
  );
}

function fenceArb(shape: MarkdownShape): fc.Arbitrary<string> {
  const codeWord = fc.oneof(wordArb(shape.maxWord), fc.constantFrom('{', '}', '=>', 'x<y', 'a&&b', '();'));
  const codeLine = fc
    .tuple(fc.integer({ min: 0, max: 4 }), fc.array(codeWord, { minLength: 0, maxLength: 10 }))
    .map(([indent, ws]) => ' '.repeat(indent) + ws.join(' '));
  return fc
    .tuple(
      fc.constantFrom('', 'ts', 'python', 'js title="x"'),
      fc.array(codeLine, { minLength: 1, maxLength: 16 }),
    )
    .map(([lang, lines]) => `\`\`\`${lang}\n${lines.join('\n')}\n\`\`\``);
}

function quoteArb(shape: MarkdownShape): fc.Arbitrary<string> {
  return fc
    .array(lineArb(shape), { minLength: 1, maxLength: 4 })
    .map((ls) => ls.map((l) => `> ${l}`).join('\n'));
}

export function markdownArb(shape: MarkdownShape): fc.Arbitrary<string> {
  const block = fc.oneof(
    { arbitrary: paragraphArb(shape), weight: 5 },
    { arbitrary: headingArb(shape), weight: 1 },
    { arbitrary: listArb(shape), weight: 2 },
    { arbitrary: fenceArb(shape), weight: 2 },
    { arbitrary: quoteArb(shape), weight: 1 },
  );
  return fc.array(block, { minLength: 1, maxLength: 8 }).map((blocks) => blocks.join('\n\n'));
}

// Skin-tone modifiers, the zero-width joiner and the emoji variation selector glue emoji together.
const WORD = /(?:[\p{L}\p{N}\p{M}\p{Extended_Pictographic}]|\p{Emoji_Modifier}|\u200d|\ufe0f)+/gu;

/** Words as the property compares them: letters, digits and emoji runs; markup and punctuation ignored. */
export function wordsOf(text: string): string[] {
  return text.match(WORD) ?? [];
}
