import fc from 'fast-check';
import { Lexer, type Token, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import type { LengthUnit, MarkdownDialect } from '../contract.js';
import { measureLength } from './length.js';
import { renderMarkdown } from './render.js';
import { splitMarkdown } from './split/split-markdown.js';
import { markdownArb, wordArb, wordsOf } from './testing/arbitraries.js';
import type { MarkdownChunk } from './types.js';

const DIALECTS: MarkdownDialect[] = ['plain', 'markdown', 'telegram-html', 'slack-mrkdwn', 'matrix-html'];
const UNITS: LengthUnit[] = ['char', 'utf16', 'byte'];
// Raise for a deeper local run: MARKDOWN_PROPERTY_RUNS=2000 npx vitest run src/markdown
const RUNS = Number(process.env.MARKDOWN_PROPERTY_RUNS ?? 50);

/** Every fenced code block in the chunk's Markdown is closed (checked by parsing it). */
function unclosedFences(md: string): string[] {
  const problems: string[] = [];
  const walk = (tokens: readonly Token[]) => {
    for (const token of tokens) {
      const t = token as Tokens.Generic;
      if (t.type === 'code' && t.codeBlockStyle !== 'indented') {
        const lines = t.raw.replace(/\n+$/, '').split('\n');
        const open = /^\s*(`{3,}|~{3,})/.exec(lines[0] ?? '')?.[1] ?? '```';
        const last = (lines[lines.length - 1] ?? '').trim();
        if (lines.length < 2 || !last.startsWith(open) || last !== (open[0] ?? '`').repeat(last.length)) {
          problems.push(t.raw);
        }
      }
      if (t.type === 'list') for (const item of t.items as Tokens.ListItem[]) walk(item.tokens);
      else if (t.tokens && t.type === 'blockquote') walk(t.tokens);
    }
  };
  walk(new Lexer({ gfm: true }).lex(md));
  return problems;
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

function checkChunk(chunk: MarkdownChunk, limit: number, unit: LengthUnit, dialect: MarkdownDialect): void {
  expect(chunk.length).toBe(measureLength(chunk.rendered, unit));
  expect(chunk.length).toBeLessThanOrEqual(limit);
  expect(chunk.rendered.trim()).not.toBe('');
  expect(unclosedFences(chunk.markdown)).toEqual([]);
  expect(count(chunk.markdown, '```') % 2).toBe(0);
  if (dialect === 'telegram-html' || dialect === 'matrix-html') {
    expect(count(chunk.rendered, '<pre')).toBe(count(chunk.rendered, '</pre>'));
  }
}

/** Worst-case rendered size allowed for one word so no word has to be cut at this limit. */
const maxWordFor = (limit: number) => Math.min(14, Math.floor(limit / 2.5));

const scenario = fc.integer({ min: 20, max: 500 }).chain((limit) =>
  fc.record({
    limit: fc.constant(limit),
    md: markdownArb({ maxWord: maxWordFor(limit), links: limit >= 80 }),
  }),
);

describe('splitMarkdown properties', () => {
  for (const dialect of DIALECTS) {
    for (const unit of UNITS) {
      it(`${dialect} / ${unit}: chunks fit, fences balance, every word survives in order`, () => {
        fc.assert(
          fc.property(scenario, ({ limit, md }) => {
            const chunks = splitMarkdown(md, { limit, unit, dialect });
            for (const chunk of chunks) checkChunk(chunk, limit, unit, dialect);
            const expected = wordsOf(renderMarkdown(md, 'plain'));
            const actual = chunks.flatMap((chunk) => wordsOf(renderMarkdown(chunk.markdown, 'plain')));
            expect(actual).toEqual(expected);
          }),
          { numRuns: RUNS },
        );
      });
    }
  }

  it('cuts a word longer than the limit into pieces that join back to the word', () => {
    const longWord = fc
      .array(wordArb(14), { minLength: 8, maxLength: 40 })
      .map((parts) => parts.join('').replace(/[<&]/g, 'q'));
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 120 }),
        fc.constantFrom(...DIALECTS),
        fc.constantFrom(...UNITS),
        longWord,
        (limit, dialect, unit, word) => {
          fc.pre(measureLength(word, unit) > limit);
          const md = `before ${word} after`;
          const chunks = splitMarkdown(md, { limit, unit, dialect });
          for (const chunk of chunks) checkChunk(chunk, limit, unit, dialect);
          const joined = chunks.map((chunk) => renderMarkdown(chunk.markdown, 'plain')).join('');
          expect(joined.replace(/\s+/g, '')).toBe(`before${word}after`);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps a long code line whole across chunks (content joins back)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 30, max: 200 }), fc.constantFrom(...DIALECTS), (limit, dialect) => {
        const line = 'x<y&&z'.repeat(Math.ceil((limit * 3) / 6));
        const chunks = splitMarkdown(`\`\`\`js\n${line}\n\`\`\``, { limit, unit: 'utf16', dialect });
        for (const chunk of chunks) checkChunk(chunk, limit, 'utf16', dialect);
        const joined = chunks.map((chunk) => renderMarkdown(chunk.markdown, 'plain')).join('');
        expect(joined.replace(/\s+/g, '')).toBe(line);
      }),
      { numRuns: 30 },
    );
  });
});
