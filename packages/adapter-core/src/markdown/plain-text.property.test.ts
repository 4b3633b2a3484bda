import fc from 'fast-check';
import { Lexer, type Token } from 'marked';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LengthUnit, MarkdownDialect } from '../contract.js';
import { readTopLevelBlocks } from './block-stream.js';
import { lexerOptions, normalizeLineEndings, parseMarkdown, sourceDocument } from './document.js';
import { plainParagraphs } from './plain-text.js';
import { prepareOutboundText } from './prepare-outbound.js';
import { renderMarkdown } from './render.js';
import { splitMarkdown } from './split/split-markdown.js';

// A string without Markdown syntax skips lexing (plain-text.ts); a document from parseMarkdown always
// goes through the tokens, so it is the reference the fast path must match exactly.
const RUNS = Number(process.env.MARKDOWN_PROPERTY_RUNS ?? 60);
const DIALECTS: MarkdownDialect[] = ['plain', 'markdown', 'telegram-html', 'slack-mrkdwn', 'matrix-html'];
const UNITS: LengthUnit[] = ['char', 'utf16', 'byte'];

const WORDS = [
  'Hello',
  'there',
  'how',
  'can',
  'I',
  'help?',
  'Done.',
  'ok,',
  'R2-D2',
  'x=1+2',
  '50%',
  'issue #16',
  'a->b',
  'Note:',
  'path/to/file',
  '(maybe)',
  "it's",
  '"quoted"',
  'wow!',
  '漢字',
  '한국어',
  '😀',
  '👍🏽',
  'café',
  'a\u00a0b',
];
// Characters and pieces that may be (or start) Markdown, or sit where the plain rules draw a line.
const RISKY = [
  ...'\\`*_~[]<>&@|!#=+-.:)(',
  '\t',
  ' ',
  '  ',
  '\u00a0',
  '\u2028',
  '\u0085',
  '\ufeff',
  '\u3000',
  '\u200d',
  '\ud83d',
  '\u0000',
  '\r',
  '1.',
  '2)',
  '- ',
  '> ',
  '# ',
  '===',
  '---',
  '\n1. ',
  '\n2) ',
  '\n- ',
  '\n+ ',
  '\n# ',
  '\n> ',
  '\n    ',
  '  \n',
  'www.',
  ' www.127.0.0.1 ',
  ' WWW.127.0.0.1 ',
  'http://127.0.0.1',
  'http',
  'mailto:',
  'a@b.io',
  '&amp;',
  '&#35;',
  '[r]: http://127.0.0.1',
];

const wordLine = fc
  .array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 12 })
  .map((ws) => ws.join(' '));
const gap = fc.constantFrom('\n', '\n\n', '\n\n\n');

/** Lines of plain words in paragraphs: these must take the fast path. */
const plainText = fc
  .tuple(
    fc.constantFrom('', '\n', '\n\n'),
    fc.array(fc.tuple(wordLine, gap), { minLength: 1, maxLength: 6 }),
    fc.constantFrom('', '\n', '\n\n'),
  )
  .map(([lead, lines, trail]) => lead + lines.map(([line, g]) => line + g).join('') + trail);

/** Plain text with a risky piece spliced in somewhere: most must not take the fast path. */
const nearPlainText = fc
  .tuple(plainText, fc.array(fc.constantFrom(...RISKY), { minLength: 1, maxLength: 3 }), fc.nat())
  .map(([text, pieces, seed]) => {
    let out = text;
    pieces.forEach((piece, index) => {
      const at = (seed * (index + 7)) % (out.length + 1);
      out = out.slice(0, at) + piece + out.slice(at);
    });
    return out;
  });

const anyText = fc.oneof(plainText, nearPlainText);

function outcome(split: () => unknown): unknown {
  try {
    return { chunks: split() };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

describe('the plain-text fast path', () => {
  it('is taken by plain paragraphs', () => {
    fc.assert(
      fc.property(plainText, (text) => {
        expect(plainParagraphs(text.replace(/\r\n?/g, '\n'))).toBeDefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('splits exactly as lexing does, whatever the dialect, unit and limit', () => {
    fc.assert(
      fc.property(
        anyText,
        fc.integer({ min: 1, max: 400 }),
        fc.constantFrom(...DIALECTS),
        fc.constantFrom(...UNITS),
        (text, limit, dialect, unit) => {
          const options = { limit, unit, dialect };
          expect(outcome(() => splitMarkdown(text, options))).toEqual(
            outcome(() => splitMarkdown(parseMarkdown(text), options)),
          );
        },
      ),
      { numRuns: RUNS * 6 },
    );
  });

  it('renders exactly as lexing does', () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom(...DIALECTS), (text, dialect) => {
        expect(renderMarkdown(text, dialect)).toBe(renderMarkdown(parseMarkdown(text), dialect));
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('gives prepareOutboundText the chunks of the lexing path', () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom(...DIALECTS), (text, markdown) => {
        const caps = { maxMessageLength: 4096, lengthUnit: 'utf16', markdown } as const;
        const reference = splitMarkdown(parseMarkdown(text), {
          limit: 4096,
          unit: 'utf16',
          dialect: markdown,
        });
        expect(prepareOutboundText(text, caps)).toEqual(reference);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

describe('short replies', () => {
  const telegram = { maxMessageLength: 4096, lengthUnit: 'utf16', markdown: 'telegram-html' } as const;

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('are not lexed when they hold no Markdown', () => {
    const lex = vi.spyOn(Lexer.prototype, 'blockTokens');
    const chunks = prepareOutboundText('Hello there, how can I help?\n\nAsk away!', telegram);
    expect(lex).not.toHaveBeenCalled();
    expect(chunks).toEqual([
      {
        markdown: 'Hello there, how can I help?\n\nAsk away!',
        rendered: 'Hello there, how can I help?\n\nAsk away!',
        length: 39,
      },
    ]);
  });

  it('are lexed as soon as they hold Markdown, and rendered with it', () => {
    const lex = vi.spyOn(Lexer.prototype, 'blockTokens');
    const [chunk] = prepareOutboundText('Hello **there**, 1 < 2', telegram);
    expect(lex).toHaveBeenCalled();
    expect(chunk?.rendered).toBe('Hello <b>there</b>, 1 &lt; 2');
  });

  it('that do not fit are split by the lexing path', () => {
    const text = 'Plain words only here. '.repeat(20).trim();
    const chunks = prepareOutboundText(text, { ...telegram, maxMessageLength: 100 });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks).toEqual(
      splitMarkdown(parseMarkdown(text), { limit: 100, unit: 'utf16', dialect: 'telegram-html' }),
    );
  });
});

// Plain inline text skips marked's inline lexer in the block stream (block-stream.ts): the tokens must
// be those marked makes. Words that look plain but are not: autolinks, e-mail, hard breaks.
const INLINE_WORDS = [
  ...WORDS,
  'a@b.io',
  'mailto:a@b.io',
  'www.127.0.0.1',
  'WWW.EX.IO',
  'http://127.0.0.1/x',
  'http:no-slashes',
  'ftp://127.0.0.1',
  'line  \nbreak',
  'soft\nbreak',
  '&amp;',
  '&#35;',
  '**b**',
  '_e_',
  '`c`',
  '<b>',
  '\\*',
];
const inlineLine = fc
  .array(fc.constantFrom(...INLINE_WORDS), { minLength: 0, maxLength: 8 })
  .map((ws) => ws.join(' '));
const blockOf = fc.oneof(
  inlineLine,
  inlineLine.map((t) => `## ${t}`),
  inlineLine.map((t) => `- ${t}\n- ${t}`),
  inlineLine.map((t) => `> ${t}`),
  inlineLine.map((t) => `| ${t} | x |\n|---|---|\n| ${t} | y |`),
  inlineLine.map((t) => `${t}\n===`),
);
const inlineDocument = fc
  .array(fc.tuple(blockOf, fc.constantFrom('\n', '\n\n')), { minLength: 1, maxLength: 8 })
  .map((blocks) => blocks.map(([block, g]) => block + g).join(''));

describe('plain inline text in the block stream', () => {
  it('gets the tokens marked gives it', () => {
    fc.assert(
      fc.property(inlineDocument, fc.constantFrom(1, 16, undefined), (md, windowChars) => {
        const whole = new Lexer(lexerOptions()).lex(normalizeLineEndings(md));
        const blocks = readTopLevelBlocks(sourceDocument(md, 'test'), windowChars);
        const tokens: Token[] = [];
        for (let token = blocks.next(); token !== undefined; token = blocks.next()) tokens.push(token);
        expect(tokens).toEqual([...whole]);
      }),
      { numRuns: RUNS * 4 },
    );
  });
});
