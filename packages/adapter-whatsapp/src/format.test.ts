import { describe, expect, it } from 'vitest';
import { formatWhatsappText, toWhatsappText } from './format.js';

const render = (md: string) => formatWhatsappText(md).map((c) => c.rendered);

describe('whatsapp formatting', () => {
  it('renders *bold* _italic_ ~strike~ `code` and ``` blocks the WhatsApp way', () => {
    expect(render('**bold** *it* ~~gone~~ `a<b`')).toEqual(['*bold* _it_ ~gone~ `a<b`']);
    expect(render('```\nif (a && b) {}\n```')).toEqual(['```\nif (a && b) {}\n```']);
    expect(render('# Heading\n\n> quoted')).toEqual(['*Heading*\n\n> quoted']);
  });

  it('writes links as "label (url)" and bare URLs as is, with no HTML entities left', () => {
    expect(render('[the docs](https://x.example/a?b=1&c=2) and <https://y.example/>')).toEqual([
      'the docs (https://x.example/a?b=1&c=2) and https://y.example/',
    ]);
    expect(toWhatsappText('&amp;lt; stays literal')).toBe('&lt; stays literal');
  });

  it('splits at 4,096 UTF-16 units without losing text, and plain format sends no markers', () => {
    const long = Array.from({ length: 900 }, (_, i) => `w${i}`)
      .join(' ')
      .repeat(3);
    const chunks = formatWhatsappText(long);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.rendered.length <= 4096)).toBe(true);
    expect(
      chunks
        .map((c) => c.rendered)
        .join(' ')
        .replace(/\s+/g, ' '),
    ).toBe(long.replace(/\s+/g, ' '));
    expect(formatWhatsappText('**x**', 'plain')[0]!.rendered).toBe('x');
  });
});
