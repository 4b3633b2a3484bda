import { measureLength } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { formatSignalText } from './format.js';

function styled(text: string, style: string): string[] {
  const [chunk] = formatSignalText(text);
  return (chunk?.styles ?? [])
    .filter((s) => s.endsWith(`:${style}`))
    .map((s) => {
      const [start, length] = s.split(':').map(Number);
      return chunk!.text.slice(start, start! + length!);
    });
}

describe('formatSignalText', () => {
  it('strips Markdown and carries emphasis as Signal text styles over the right characters', () => {
    const [chunk] = formatSignalText('**Bold** and *it* and ~~gone~~ and `x = 1`');
    expect(chunk?.text).toBe('Bold and it and gone and x = 1');
    expect(chunk?.styles).toEqual(['0:4:BOLD', '9:2:ITALIC', '16:4:STRIKETHROUGH', '25:5:MONOSPACE']);
  });

  it('counts offsets in UTF-16 units, as Signal does', () => {
    expect(styled('😀 **ünïcode**', 'BOLD')).toEqual(['ünïcode']);
  });

  it('styles code blocks, headings and nested emphasis; list bullets and link targets stay plain', () => {
    const md = '# Title\n\n- **one** [link](https://example.com)\n- two\n\n```\nconst a = 1;\n```';
    const [chunk] = formatSignalText(md);
    expect(chunk?.text).toContain('https://example.com');
    expect(styled(md, 'BOLD')).toEqual(['Title', 'one']);
    expect(styled(md, 'MONOSPACE')).toEqual(['const a = 1;']);
    expect(styled('***both***', 'BOLD')).toEqual(['both']);
    expect(styled('***both***', 'ITALIC')).toEqual(['both']);
  });

  it('finds a styled word that also appears earlier in plain text at its own place', () => {
    const [chunk] = formatSignalText('word then **word**');
    expect(chunk?.styles).toEqual(['10:4:BOLD']);
  });

  it('plain format and textStyles off send no styles', () => {
    expect(formatSignalText('**b**', 'plain')[0]?.styles).toEqual([]);
    expect(formatSignalText('**b**', 'markdown', false)[0]?.styles).toEqual([]);
  });

  it('splits at 8000 UTF-16 units and keeps every word', () => {
    const words = Array.from({ length: 3000 }, (_, i) => `w${i}😀`);
    const chunks = formatSignalText(words.join(' '));
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(measureLength(chunk.text, 'utf16')).toBeLessThanOrEqual(8000);
    expect(
      chunks
        .map((c) => c.text)
        .join(' ')
        .split(/\s+/),
    ).toEqual(words);
  });
});
