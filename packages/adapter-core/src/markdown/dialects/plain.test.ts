import { describe, expect, it } from 'vitest';
import { AdapterError } from '../../errors.js';
import { parseMarkdown } from '../document.js';
import { renderMarkdown } from '../render.js';

const plain = (md: string) => renderMarkdown(md, 'plain');

describe('plain renderer', () => {
  it('drops formatting and keeps text, < and & as they are', () => {
    expect(plain('**bold** *it* ~~s~~ `a<b` & c')).toBe('bold it s a<b & c');
  });

  it('keeps link targets visible', () => {
    expect(plain('[docs](https://ex.io/?a=1&b=2)')).toBe('docs (https://ex.io/?a=1&b=2)');
    expect(plain('see <https://ex.io> and https://ex.org')).toBe('see https://ex.io and https://ex.org');
    expect(plain('![chart](https://ex.io/c.png)')).toBe('chart (https://ex.io/c.png)');
  });

  it('keeps structure with ASCII', () => {
    expect(plain('# Title\n\n- a\n- b\n\n1. x\n2. y')).toBe('Title\n\n- a\n- b\n\n1. x\n2. y');
    expect(plain('> quoted\n> text')).toBe('> quoted\n> text');
    expect(plain('```sh\necho "<hi>"\n```')).toBe('echo "<hi>"');
  });
});

describe('markdown passthrough', () => {
  it('returns the source unchanged', () => {
    const md = '**bold** <b>raw</b> & `x`\n';
    expect(renderMarkdown(md, 'markdown')).toBe(md);
  });

  it('renders a parsed document to several dialects', () => {
    const doc = parseMarkdown('**hi** <there>');
    expect(renderMarkdown(doc, 'plain')).toBe('hi <there>');
    expect(renderMarkdown(doc, 'telegram-html')).toBe('<b>hi</b> &lt;there&gt;');
    expect(renderMarkdown(doc, 'markdown')).toBe('**hi** <there>');
  });
});

describe('dialect selection', () => {
  it('rejects an unknown dialect with the list of known ones', () => {
    const call = () => renderMarkdown('x', 'bbcode' as never);
    expect(call).toThrow(AdapterError);
    expect(call).toThrow(/unknown Markdown dialect "bbcode"/);
  });
});
