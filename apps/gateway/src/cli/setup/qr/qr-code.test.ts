import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { encodeQr, formatBits, type QrMatrix } from './qr-code.js';
import { errorCorrection } from './reed-solomon.js';
import { renderQrForTerminal } from './render-terminal.js';

// Decoded with zbarimg while this was written (versions 1 to 10, one and several blocks); here the parts
// are checked against the standard's published figures and the code's structure, which a wrong table,
// a wrong zigzag or a misplaced pattern breaks.

function mustEncode(text: string): QrMatrix {
  const r = encodeQr(text);
  if (!r.ok) throw new Error(r.message);
  return r.qr;
}

describe('Reed–Solomon', () => {
  it('gives the correction codewords of the standard\'s worked "HELLO WORLD" 1-M example', () => {
    const data = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17];
    expect(errorCorrection(data, 10)).toEqual([196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
  });
});

describe('format bits', () => {
  it('match the published level M table for every mask', () => {
    const table = [
      '101010000010010',
      '101000100100101',
      '101111001111100',
      '101101101001011',
      '100010111111001',
      '100000011001110',
      '100111110010111',
      '100101010100000',
    ];
    expect(table.map((_, mask) => formatBits(mask).toString(2).padStart(15, '0'))).toEqual(table);
  });
});

describe('encodeQr', () => {
  const link = 'https://work.weixin.qq.com/ai/qc/gen?source=hermes&scode=0123456789abcdef';

  it('picks the smallest version that holds the text and says when nothing does', () => {
    expect(mustEncode('a').version).toBe(1);
    expect(mustEncode(link).version).toBe(5); // 73 bytes: version 4-M holds 62, 5-M holds 84
    expect(mustEncode('x'.repeat(213)).version).toBe(10);
    const tooLong = encodeQr('x'.repeat(214));
    expect(tooLong).toMatchObject({ ok: false, code: 'qr_too_long' });
  });

  it('draws the finder, timing, dark-module and format patterns where a scanner looks for them', () => {
    const qr = mustEncode(link);
    const at = (r: number, c: number) => qr.dark[r]?.[c] === true;
    expect(qr.size).toBe(17 + 4 * qr.version);
    for (const [r0, c0] of [
      [0, 0],
      [0, qr.size - 7],
      [qr.size - 7, 0],
    ] as const) {
      for (let r = 0; r < 7; r++) {
        for (let c = 0; c < 7; c++) {
          const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
          expect(at(r0 + r, c0 + c), `finder at ${r0},${c0} (${r},${c})`).toBe(ring !== 2);
        }
      }
    }
    for (let i = 8; i < qr.size - 8; i++) {
      expect(at(6, i)).toBe(i % 2 === 0);
      expect(at(i, 6)).toBe(i % 2 === 0);
    }
    expect(at(qr.size - 8, 8)).toBe(true);
    // Both copies of the format bits carry the chosen mask.
    const bits = formatBits(qr.mask);
    const bit = (i: number) => ((bits >>> i) & 1) === 1;
    for (let i = 0; i <= 5; i++) expect(at(i, 8)).toBe(bit(i));
    for (let i = 0; i < 8; i++) expect(at(8, qr.size - 1 - i)).toBe(bit(i));
  });

  it('writes the version information twice from version 7 on', () => {
    const qr = mustEncode('v'.repeat(130));
    expect(qr.version).toBe(8);
    for (let i = 0; i < 18; i++) {
      const a = qr.size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      expect(qr.dark[b]?.[a]).toBe(qr.dark[a]?.[b]);
    }
    // Version 8 is 001000 followed by its BCH code 010110111100 (the standard's table).
    const read = Array.from({ length: 18 }, (_, i) =>
      qr.dark[Math.floor(i / 3)]?.[qr.size - 11 + (i % 3)] ? 1 : 0,
    );
    expect(read.reverse().join('')).toBe('001000010110111100');
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
