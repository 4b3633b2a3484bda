import { renderMarkdown, splitMarkdown } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { checkTelegramHtml } from './telegram-html.js';

describe('checkTelegramHtml (the fake parses HTML like the Bot API)', () => {
  it('accepts what core renders for Telegram and returns the visible text', () => {
    const md = [
      '# Title',
      'Some **bold**, _italic_, `code`, ~~gone~~ and a [link](https://example.com/?a=1&b=2).',
      '> quoted <not a tag> & more',
      '```ts\nconst a = 1 < 2 && 3 > 2;\n```',
      '- one\n- two',
    ].join('\n\n');
    const html = renderMarkdown(md, 'telegram-html');
    const checked = checkTelegramHtml(html);
    expect(checked.ok, JSON.stringify(checked)).toBe(true);
    expect(checked.ok && checked.text).toContain('const a = 1 < 2 && 3 > 2;');
    for (const chunk of splitMarkdown(md.repeat(40), {
      limit: 4096,
      unit: 'utf16',
      dialect: 'telegram-html',
    })) {
      const c = checkTelegramHtml(chunk.rendered);
      expect(c.ok).toBe(true);
      expect(c.ok && c.text.length).toBeLessThanOrEqual(4096);
    }
  });

  it('refuses what Telegram refuses, with its wording', () => {
    expect(checkTelegramHtml('<br>')).toEqual({
      ok: false,
      description: 'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 0',
    });
    expect(checkTelegramHtml('<b>open')).toMatchObject({
      ok: false,
      description: expect.stringContaining('end tag corresponding to start tag "b"'),
    });
    expect(checkTelegramHtml('<b><i>x</b></i>')).toMatchObject({
      ok: false,
      description: expect.stringContaining('Unmatched end tag'),
    });
    expect(checkTelegramHtml('a < b')).toMatchObject({ ok: false });
    expect(checkTelegramHtml('&lt;&#128512;&amp;')).toEqual({ ok: true, text: '<😀&' });
  });
});
