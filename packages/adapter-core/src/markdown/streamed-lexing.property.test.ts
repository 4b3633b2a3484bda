import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { Lexer, type Token } from 'marked';
import { describe, expect, it } from 'vitest';
import type { LengthUnit, MarkdownDialect } from '../contract.js';
import { readTopLevelBlocks } from './block-stream.js';
import {
  lexerOptions,
  normalizeLineEndings,
  parsedTokens,
  parseMarkdown,
  sourceDocument,
} from './document.js';
import { renderMarkdown } from './render.js';
import { splitMarkdown, splitMarkdownInWindows } from './split/split-markdown.js';
import { markdownArb } from './testing/arbitraries.js';

// The streamed path (a string: lexed a window of blocks at a time, inline tokens per block) must give
// exactly what the whole-tree path gives (a document from parseMarkdown: marked's own lex()).
const RUNS = Number(process.env.MARKDOWN_PROPERTY_RUNS ?? 60);
const DIALECTS: MarkdownDialect[] = ['plain', 'markdown', 'telegram-html', 'slack-mrkdwn', 'matrix-html'];
const UNITS: LengthUnit[] = ['char', 'utf16', 'byte'];
// Tiny windows cut the block pass after nearly every blank line; the default one is 32 K.
const WINDOWS = [1, 16, 64, 200, undefined];

// Blocks that interact across blank lines or with what follows them.
const PIECES = [
  'Intro with [a ref][r1], [R2], ![img][r3] and [missing][nope].',
  '```ts\nconst a = 1;\n\n\nconst b = a < 2 && true;\n```',
  '```\nunclosed fence\n\nspanning blocks\n# not a heading\n\n- nor a list',
  '~~~~python\nprint("~~~")\n~~~~',
  '    indented code\n\n    after a blank line',
  '- a\n- b\n  - nested\n    1. deep\n- [ ] task\n- [x] done',
  '1. one\n2. two\n\n3. loose three\n\n   continued item',
  '3) three\n4) four',
  '- item\n\n  para in item\n\n  ```\n  code in item\n  ```',
  '| a | b |\n|---|:-:|\n| 1 | 2 |\n| x & y | <z> |',
  '> quote\n> > nested quote\n> > > deeper\n> back',
  '> - list in quote\n>   continued\nlazy line',
  '> quote\nlazy continuation',
  'Setext heading\n===',
  '## ATX heading with `code` and **bold**',
  '<div>\nhtml block\n</div>',
  '<!-- comment\n\nstill comment -->',
  'Inline <a href="x">open anchor https://ex.io/auto',
  'www.example.com after the anchor </a> closed https://ex.io/b',
  'Entities &amp; &#8212; &copy; and a\\*escaped\\*',
  '***',
  'Hard break  \nnext line\\\nthird',
  'lazy\ncontinuation line',
  '**bold *nested em* ~~del~~**',
  '漢字文本测试。日本語中文、한국어！😀👍🏽',
  'Uses [r4] and [r1] before their definitions.',
];
const DEFINITIONS = [
  'para\n[r4]: https://ex.io/four\nafter def',
  '[r1]: https://ex.io/one "Title"',
  '[R2]: <https://ex.io/two>',
  '[r3]: https://ex.io/i.png',
  '[r1]: https://ex.io/redefined',
  '> [r5]: https://ex.io/quoted',
];

const documentArb = fc
  .tuple(
    fc.array(
      fc.tuple(fc.constantFrom(...PIECES), fc.constantFrom('\n', '\n\n', '\n\n\n', '\r\n\r\n', '\n  \n')),
      { minLength: 1, maxLength: 14 },
    ),
    // Definitions at the end of the text, after their uses, or none at all (a text without "]:" is
    // the one whose block pass goes window by window).
    fc.oneof(fc.constant([]), fc.subarray(DEFINITIONS)),
  )
  .map(([blocks, definitions]) =>
    [blocks.map(([block, gap]) => block + gap).join(''), ...definitions].join('\n\n'),
  );

const anyDocument = fc.oneof(
  { arbitrary: documentArb, weight: 3 },
  { arbitrary: markdownArb({ maxWord: 14, links: true }), weight: 1 },
);

/** The chunks, or the error: a text that cannot fit must fail the same way on both paths. */
function outcome(split: () => unknown): unknown {
  try {
    return { chunks: split() };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function streamedTokens(md: string, windowChars: number | undefined) {
  const blocks = readTopLevelBlocks(sourceDocument(md, 'test'), windowChars);
  const tokens: Token[] = [];
  for (let token = blocks.next(); token !== undefined; token = blocks.next()) tokens.push(token);
  return { tokens, links: blocks.links };
}

describe('streamed lexing', () => {
  it('gives the same tokens and definitions as lexing the whole text, whatever the window', () => {
    fc.assert(
      fc.property(anyDocument, fc.constantFrom(...WINDOWS), (md, windowChars) => {
        const whole = new Lexer(lexerOptions()).lex(normalizeLineEndings(md));
        const streamed = streamedTokens(md, windowChars);
        expect(streamed.tokens).toEqual([...whole]);
        expect({ ...streamed.links }).toEqual({ ...whole.links });
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('splits into exactly the chunks of the whole-tree path', () => {
    fc.assert(
      fc.property(
        anyDocument,
        fc.integer({ min: 24, max: 600 }),
        fc.constantFrom(...DIALECTS),
        fc.constantFrom(...UNITS),
        fc.constantFrom(...WINDOWS),
        (md, limit, dialect, unit, windowChars) => {
          const options = { limit, unit, dialect };
          const whole = outcome(() => splitMarkdown(parseMarkdown(md), options));
          expect(outcome(() => splitMarkdownInWindows(md, options, windowChars))).toEqual(whole);
        },
      ),
      { numRuns: RUNS * 4 },
    );
  });

  it('renders exactly what the whole-tree path renders', () => {
    fc.assert(
      fc.property(anyDocument, fc.constantFrom(...DIALECTS), (md, dialect) => {
        expect(renderMarkdown(md, dialect)).toBe(renderMarkdown(parseMarkdown(md), dialect));
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('resolves a reference whose definition ends a long text, many windows after its use', () => {
    const filler = Array.from({ length: 400 }, (_, i) => `Paragraph ${i} of filler text.`).join('\n\n');
    const md = `See [the docs][docs].\n\n${filler}\n\n[docs]: https://ex.io/docs`;
    const [first] = splitMarkdown(md, { limit: 4096, unit: 'utf16', dialect: 'telegram-html' });
    expect(first?.rendered.startsWith('See <a href="https://ex.io/docs">the docs</a>.')).toBe(true);
    expect(splitMarkdownInWindows(md, { limit: 300, unit: 'char', dialect: 'slack-mrkdwn' }, 64)).toEqual(
      splitMarkdown(parseMarkdown(md), { limit: 300, unit: 'char', dialect: 'slack-mrkdwn' }),
    );
  });

  it('keeps a fence open across blank lines and windows', () => {
    const code = Array.from({ length: 60 }, (_, i) => `line ${i}\n\n# not a heading ${i}`).join('\n');
    const md = `Before.\n\n\`\`\`py\n${code}\n\`\`\`\n\nAfter.`;
    const options = { limit: 500, unit: 'utf16', dialect: 'telegram-html' } as const;
    const chunks = splitMarkdownInWindows(md, options, 32);
    expect(chunks).toEqual(splitMarkdown(parseMarkdown(md), options));
    expect(chunks.some((chunk) => chunk.rendered.includes('<b>'))).toBe(false);
  });
});

describe('parsed token trees', () => {
  it('are released once their document is dropped', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const ref = (() => {
      const tokens = parsedTokens(parseMarkdown('# Title\n\nSome **text** and a [link](https://ex.io).'));
      return new WeakRef(tokens as object);
    })();
    // A WeakRef target stays alive until the current job ends.
    for (let attempt = 0; attempt < 10 && ref.deref() !== undefined; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      gc();
    }
    expect(ref.deref()).toBeUndefined();
  });
});
