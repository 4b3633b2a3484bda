import { prepareOutboundText } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { wecomCapabilities } from './adapter.js';
import { passesThroughUnchanged } from './passthrough-text.js';

const LIMIT = wecomCapabilities.maxMessageLength;
const split = (text: string) => prepareOutboundText(text, wecomCapabilities).map((c) => c.rendered);

/** mulberry32: a fixed seed, so a failure names a text that can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// Markdown syntax, white space of every kind and text, glued at random.
const PIECES = [
  '\n',
  '\n',
  '\n\n',
  'word ',
  '词',
  '😀',
  'é',
  '  ',
  '\t',
  '\r\n',
  '```',
  '~~~',
  '[a]',
  ': ',
  'http://x.y',
  '<!--',
  '-->',
  '<div>',
  '</div>',
  '***',
  '---',
  '#',
  '> ',
  '|',
  'a',
  ' ',
  '- ',
  '1. ',
  '\\',
  '*',
  '_',
  '`',
  '[',
  ']',
  '(',
  ')',
  '!',
  '<',
  '>',
  '&amp;',
  '&#0;',
  '&',
  '=',
  '+ ',
  '<https://a.b>',
  'www.a.b',
  '<?',
  '<![CDATA[',
  ']]>',
  '<script>',
  '\u0000',
  '\u000b',
  '\u000c',
  '\u2028',
  '\u200b',
  '\ufeff',
  '\u0085',
  '\u00a0',
];

describe('passesThroughUnchanged', () => {
  it('says yes only where core’s splitter returns the text itself (seeded random Markdown)', () => {
    const rand = seeded(16);
    let accepted = 0;
    for (let n = 0; n < 40_000; n++) {
      const length = 1 + Math.floor(rand() * 10);
      let text = '';
      for (let i = 0; i < length; i++) text += PIECES[Math.floor(rand() * PIECES.length)];
      if (!passesThroughUnchanged(text, LIMIT)) continue;
      accepted++;
      expect(split(text), JSON.stringify(text)).toEqual([text]);
    }
    // The check must still let ordinary replies through, or it saves nothing.
    expect(accepted).toBeGreaterThan(5_000);
  });

  it('lets through plain replies, several paragraphs, lists, quotes, emphasis and links', () => {
    for (const text of [
      'echo question 12',
      'Done. The report is **ready**: see [the link](https://example.com).',
      'First paragraph.\n\nSecond one, with `code`.\n\n- one\n- two\n\n1. a\n2. b\n\n> quoted',
      '# Title\n\nSome 中文 text and 😀.',
    ]) {
      expect(passesThroughUnchanged(text, LIMIT), text).toBe(true);
      expect(split(text)).toEqual([text]);
    }
  });

  it('sends to the splitter whatever it could change, and anything over the limit', () => {
    for (const text of [
      '',
      ' leading space',
      'trailing newline\n',
      'a\r\nb',
      'tab\there',
      '```js\nconst a = 1;',
      '~~~',
      '[x]: https://example.com',
      'list\n  - nested',
      '    indented code',
      'nbsp\u00a0inside',
      'x'.repeat(LIMIT + 1),
    ]) {
      expect(passesThroughUnchanged(text, LIMIT), JSON.stringify(text.slice(0, 30))).toBe(false);
    }
    expect(passesThroughUnchanged('x'.repeat(LIMIT), LIMIT)).toBe(true);
  });
});
