import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  escapeMarkdownLineStart,
  escapeMarkdownLiteral,
  escapeSlackMrkdwn,
  escapeTelegramHtml,
} from './escape.js';
import { renderMarkdown } from './render.js';

describe('escape helpers', () => {
  it('escapeHtml escapes & < > " and \'', () => {
    expect(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;',
    );
  });

  it('escapeTelegramHtml and escapeSlackMrkdwn escape only & < >', () => {
    expect(escapeTelegramHtml(`a<b>&"c"`)).toBe('a&lt;b&gt;&amp;"c"');
    expect(escapeSlackMrkdwn('<@U1> & *b*')).toBe('&lt;@U1&gt; &amp; *b*');
  });

  it('escapeMarkdownLiteral reads back verbatim', () => {
    for (const text of [
      '*not bold* _x_ `y` [z](w) <b> & ~s~',
      '# not heading',
      '1. not list',
      'https://ex.io/a_b@c',
    ]) {
      expect(renderMarkdown(escapeMarkdownLiteral(text), 'plain')).toBe(text);
    }
  });

  it('escapeMarkdownLineStart defuses block openers only', () => {
    expect(escapeMarkdownLineStart('- item')).toBe('\\- item');
    expect(escapeMarkdownLineStart('12. item')).toBe('12\\. item');
    expect(escapeMarkdownLineStart('```js')).toBe('\\```js');
    expect(escapeMarkdownLineStart('[a](b)')).toBe('[a](b)');
    expect(escapeMarkdownLineStart('<https://ex.io>')).toBe('<https://ex.io>');
    expect(escapeMarkdownLineStart('plain words')).toBe('plain words');
  });
});
