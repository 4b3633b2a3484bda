import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { encodeQr, type QrMatrix } from './qr-code.js';
import { renderQrForTerminal } from './render-terminal.js';

function mustEncode(text: string): QrMatrix {
  const r = encodeQr(text);
  if (!r.ok) throw new Error(r.message);
  return r.qr;
}

describe('encodeQr', () => {
  it('gives a square matrix of 17 + 4 × version modules with the three finder patterns', () => {
    const qr = mustEncode('https://work.weixin.qq.com/ai/qc/gen?source=hermes&scode=abc123');
    expect(qr.size).toBe(17 + 4 * qr.version);
    expect(qr.dark).toHaveLength(qr.size);
    // A finder pattern: a dark 7×7 ring around a light ring around a dark 3×3 centre.
    const finderAt = (top: number, left: number) =>
      [0, 6].every((i) => qr.dark[top + i]?.[left + 3] && qr.dark[top + 3]?.[left + i]) &&
      !qr.dark[top + 1]?.[left + 1] &&
      qr.dark[top + 3]?.[left + 3] === true;
    expect(finderAt(0, 0)).toBe(true);
    expect(finderAt(0, qr.size - 7)).toBe(true);
    expect(finderAt(qr.size - 7, 0)).toBe(true);
  });

  it('says when a text is too long for any QR code instead of throwing', () => {
    const r = encodeQr('x'.repeat(5000));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('qr_too_long');
  });
});

describe('renderQrForTerminal', () => {
  it('draws every module, two rows a line, dark on light, inside a quiet zone', () => {
    const qr = mustEncode('https://example.com/scan?code=42');
    const lines = renderQrForTerminal(qr).map((l) => stripVTControlCharacters(l));
    const span = qr.size + 4;
    expect(lines).toHaveLength(Math.ceil(span / 2));
    const back: boolean[][] = [];
    for (const line of lines) {
      const chars = [...line];
      expect(chars).toHaveLength(span);
      back.push(chars.map((ch) => ch === '█' || ch === '▀'));
      back.push(chars.map((ch) => ch === '█' || ch === '▄'));
    }
    const inner = back.slice(2, 2 + qr.size).map((row) => row.slice(2, 2 + qr.size));
    expect(inner).toEqual(qr.dark);
    expect(back[0]?.some(Boolean)).toBe(false);
  });
});
