import { describe, expect, it } from 'vitest';
import { AdapterError } from '../../errors.js';
import { parseMarkdown } from '../document.js';
import { measureLength } from '../length.js';
import { renderMarkdown } from '../render.js';
import { splitMarkdown } from './split-markdown.js';

const words = (n: number, word = 'word') => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');
const plainOf = (md: string) => renderMarkdown(md, 'plain');

describe('splitMarkdown', () => {
  it('returns no chunk for empty or whitespace-only input', () => {
    expect(splitMarkdown('', { limit: 100, unit: 'char', dialect: 'plain' })).toEqual([]);
    expect(splitMarkdown(' \n\n\t ', { limit: 100, unit: 'char', dialect: 'telegram-html' })).toEqual([]);
  });

  it('returns one chunk when the rendered text fits', () => {
    const md = '**Hi** <there> & [you](https://ex.io)\n';
    const [chunk, ...rest] = splitMarkdown(md, { limit: 200, unit: 'utf16', dialect: 'telegram-html' });
    expect(rest).toEqual([]);
    expect(chunk?.markdown).toBe(md.trimEnd());
    expect(chunk?.rendered).toBe(renderMarkdown(md, 'telegram-html'));
    expect(chunk?.length).toBe(measureLength(chunk?.rendered ?? '', 'utf16'));
  });

  it('cuts at paragraph boundaries first', () => {
    const p = (n: number) => `Paragraph ${n} has some words in it.`;
    const md = [p(1), p(2), p(3)].join('\n\n');
    const chunks = splitMarkdown(md, { limit: 90, unit: 'char', dialect: 'markdown' });
    expect(chunks.map((c) => c.markdown)).toEqual([`${p(1)}\n\n${p(2)}`, p(3)]);
  });

  it('inside a paragraph prefers a line break, then a sentence end, to a space', () => {
    // A break must fill at least half the chunk to be preferred over a later, weaker one.
    const md = `${words(11, 'a')}\n${words(12, 'b')}. ${words(12, 'c')}`;
    const chunks = splitMarkdown(md, { limit: 60, unit: 'char', dialect: 'plain' });
    expect(chunks[0]?.markdown).toBe(words(11, 'a'));
    expect(chunks[1]?.markdown).toBe(`${words(12, 'b')}.`);
    expect(chunks.every((c) => c.length <= 60)).toBe(true);
  });

  it('closes a code fence and reopens it with the same info string', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `print("line ${i}") if a < b else None`);
    const md = `Intro.\n\n\`\`\`python title="x"\n${lines.join('\n')}\n\`\`\`\n\nOutro.`;
    const chunks = splitMarkdown(md, { limit: 300, unit: 'utf16', dialect: 'telegram-html' });
    const codeChunks = chunks.filter((c) => c.markdown.includes('print('));
    expect(codeChunks.length).toBeGreaterThan(2);
    for (const chunk of codeChunks) {
      expect(chunk.markdown).toMatch(/^(Intro\.\n\n)?```python title="x"\n[\s\S]*\n```(\n\nOutro\.)?$/);
      expect(chunk.rendered).toContain('<pre><code class="language-python">');
      expect(chunk.length).toBeLessThanOrEqual(300);
    }
    const code = codeChunks.flatMap((c) => c.markdown.split('\n').filter((l) => l.startsWith('print(')));
    expect(code).toEqual(lines);
  });

  it('never cuts inside inline code, links or emphasis that fit', () => {
    const spans = Array.from({ length: 30 }, (_, i) => `\`code ${i} a<b\``);
    const links = Array.from({ length: 30 }, (_, i) => `[link ${i}](https://ex.io/${i}?a=1&b=2)`);
    const md = spans.map((s, i) => `${s} and **bold ${i} words** then ${links[i]}`).join(' ');
    const chunks = splitMarkdown(md, { limit: 200, unit: 'utf16', dialect: 'telegram-html' });
    const all = chunks.map((c) => c.markdown).join('\n');
    for (const s of [...spans, ...links]) expect(all).toContain(s);
    for (let i = 0; i < 30; i++) expect(all).toContain(`**bold ${i} words**`);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(200);
  });

  it('closes and reopens bold that is longer than a chunk', () => {
    const md = `Start **${words(60)}** end.`;
    const chunks = splitMarkdown(md, { limit: 120, unit: 'char', dialect: 'telegram-html' });
    expect(chunks.length).toBeGreaterThan(3);
    for (const chunk of chunks.slice(1, -1)) {
      expect(chunk.markdown).toMatch(/^\*\*\S[\s\S]*\S\*\*$/);
      expect(chunk.rendered).toMatch(/^<b>[\s\S]*<\/b>$/);
    }
    expect(chunks.map((c) => plainOf(c.markdown)).join(' ')).toBe(plainOf(md));
  });

  it('checks the rendered length: text that grows under escaping is cut smaller', () => {
    const md = Array.from({ length: 200 }, () => '<&>').join(' ');
    const chunks = splitMarkdown(md, { limit: 100, unit: 'utf16', dialect: 'telegram-html' });
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(100);
      // Markdown of a chunk is far shorter than its rendering: the limit applies to the rendering.
      expect(chunk.markdown.length).toBeLessThan(chunk.length);
    }
    expect(chunks.map((c) => c.markdown).join(' ')).toBe(md);
  });

  it('cuts a URL longer than the limit into pieces and keeps every character', () => {
    const url = `https://ex.io/${'segment/'.repeat(40)}end?q=1&r=2`;
    const md = `Look at ${url} now`;
    for (const dialect of ['plain', 'markdown', 'telegram-html', 'slack-mrkdwn', 'matrix-html'] as const) {
      const chunks = splitMarkdown(md, { limit: 80, unit: 'char', dialect });
      for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(80);
      expect(
        chunks
          .map((c) => plainOf(c.markdown))
          .join('')
          .replace(/\s+/g, ''),
      ).toBe(`Lookat${url}now`);
    }
  });

  it('continues an ordered list with its own numbers in the next chunk', () => {
    const md = Array.from({ length: 12 }, (_, i) => `${i + 1}. item number ${i + 1} with text`).join('\n');
    const chunks = splitMarkdown(md, { limit: 120, unit: 'char', dialect: 'telegram-html' });
    expect(chunks.length).toBeGreaterThan(1);
    const second = chunks[1];
    const firstNumber = Number(/^(\d+)\./.exec(second?.markdown ?? '')?.[1]);
    expect(firstNumber).toBeGreaterThan(1);
    expect(second?.rendered.startsWith(`${firstNumber}. item number ${firstNumber}`)).toBe(true);
  });

  it('does not repeat a list marker when a long item continues in the next chunk', () => {
    const md = `- ${words(60)}\n- short item`;
    const chunks = splitMarkdown(md, { limit: 120, unit: 'char', dialect: 'telegram-html' });
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks[0]?.rendered.startsWith('• word0')).toBe(true);
    const bullets =
      chunks
        .map((c) => c.rendered)
        .join('\n')
        .match(/•/g) ?? [];
    expect(bullets).toHaveLength(2);
    expect(
      chunks
        .map((c) => plainOf(c.markdown))
        .join(' ')
        .replace(/\s+|-/g, ''),
    ).toBe(plainOf(md).replace(/\s+|-/g, ''));
  });

  it('repeats a table header in every chunk of a long table', () => {
    const rows = Array.from({ length: 30 }, (_, i) => `| row ${i} | value ${i} |`);
    const md = `| name | value |\n|------|-------|\n${rows.join('\n')}`;
    const chunks = splitMarkdown(md, { limit: 200, unit: 'char', dialect: 'markdown' });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks)
      expect(chunk.markdown.startsWith('| name | value |\n|------|-------|\n')).toBe(true);
  });

  it('keeps every line of a long quote quoted', () => {
    const md = Array.from({ length: 20 }, (_, i) => `> quoted line ${i} with a few words`).join('\n');
    const chunks = splitMarkdown(md, { limit: 150, unit: 'char', dialect: 'matrix-html' });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.markdown.split('\n').every((line) => line.startsWith('>'))).toBe(true);
      expect(chunk.rendered).toMatch(/^<blockquote>[\s\S]*<\/blockquote>$/);
    }
  });

  it('resolves a reference link in a chunk that does not hold its definition', () => {
    const md = `${words(30)}\n\nSee [the docs][d] now.\n\n${words(30)}\n\n[d]: https://ex.io/docs`;
    const chunks = splitMarkdown(md, { limit: 200, unit: 'utf16', dialect: 'telegram-html' });
    const withLink = chunks.find((c) => c.markdown.includes('[the docs][d]'));
    expect(withLink?.markdown).not.toContain('[d]:');
    expect(withLink?.rendered).toContain('<a href="https://ex.io/docs">the docs</a>');
  });

  it('sends no chunk made only of link definitions', () => {
    const md = `${words(20)}\n\n[d]: https://ex.io/docs\n[e]: https://ex.io/e`;
    const chunks = splitMarkdown(md, { limit: 140, unit: 'char', dialect: 'markdown' });
    expect(chunks.map((c) => c.markdown)).toEqual([words(20)]);
  });

  it('splits CJK text at its own punctuation', () => {
    const sentence = '这是一个测试句子，用来检查分割。';
    const md = sentence.repeat(20);
    const chunks = splitMarkdown(md, { limit: 50, unit: 'char', dialect: 'plain' });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.markdown).toMatch(/[，。]$/);
    expect(chunks.map((c) => c.markdown).join('')).toBe(md);
  });

  it('counts in the requested unit', () => {
    const md = `${'😀'.repeat(30)} ${'漢字'.repeat(30)}`;
    for (const unit of ['char', 'utf16', 'byte'] as const) {
      const chunks = splitMarkdown(md, { limit: 40, unit, dialect: 'markdown' });
      for (const chunk of chunks) expect(measureLength(chunk.rendered, unit)).toBeLessThanOrEqual(40);
      expect(
        chunks
          .map((c) => c.markdown)
          .join('')
          .replace(/\s/g, ''),
      ).toBe(md.replace(/\s/g, ''));
    }
  });

  it('fills chunks instead of sending a word at a time', () => {
    const md = Array.from({ length: 60 }, (_, i) => `Sentence ${i} is here, with several words.`).join(' ');
    const chunks = splitMarkdown(md, { limit: 300, unit: 'char', dialect: 'plain' });
    const total = chunks.reduce((sum, c) => sum + c.length, 0);
    expect(chunks.length).toBeLessThanOrEqual(Math.ceil(total / 150));
  });

  it('accepts a parsed document and CRLF line endings', () => {
    const doc = parseMarkdown(`${words(20)}\r\n\r\n${words(20)}`);
    const chunks = splitMarkdown(doc, { limit: 150, unit: 'char', dialect: 'plain' });
    expect(chunks.map((c) => c.markdown)).toEqual([words(20), words(20)]);
  });

  it('rejects a limit that is not a positive integer', () => {
    for (const limit of [0, -5, 1.5, Number.NaN]) {
      const call = () => splitMarkdown('text', { limit, unit: 'char', dialect: 'plain' });
      expect(call).toThrow(AdapterError);
      expect(call).toThrow(/positive integer/);
    }
  });

  it('explains when a single character cannot fit the limit', () => {
    try {
      splitMarkdown('😀😀', { limit: 3, unit: 'byte', dialect: 'plain' });
      expect.unreachable('a 4-byte emoji cannot fit 3 bytes');
    } catch (error) {
      expect(error).toBeInstanceOf(AdapterError);
      expect((error as AdapterError).code).toBe('bad_request');
      expect((error as AdapterError).fix).toMatch(/raise the message length limit/);
    }
  });
});
