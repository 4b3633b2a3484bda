// A QR code encoder (byte mode, level M, versions 1–10), so the setup wizard can show a scan-to-create
// link in the terminal without a dependency.

import { dataCodewords, LEVEL_M_BITS, LEVEL_M_LAYOUTS, type VersionLayout } from './qr-tables.js';
import { errorCorrection } from './reed-solomon.js';

export interface QrMatrix {
  version: number;
  mask: number;
  size: number;
  /** `dark[row][column]`. */
  dark: boolean[][];
}

export type QrEncodeResult = { ok: true; qr: QrMatrix } | { ok: false; code: 'qr_too_long'; message: string };

/** Encodes UTF-8 text in the smallest version that holds it. */
export function encodeQr(text: string): QrEncodeResult {
  const bytes = [...Buffer.from(text, 'utf8')];
  for (let version = 1; version <= LEVEL_M_LAYOUTS.length; version++) {
    const layout = LEVEL_M_LAYOUTS[version - 1] as VersionLayout;
    const countBits = version <= 9 ? 8 : 16;
    if (4 + countBits + bytes.length * 8 > dataCodewords(layout) * 8) continue;
    return { ok: true, qr: buildMatrix(version, layout, codewords(bytes, countBits, layout)) };
  }
  return {
    ok: false,
    code: 'qr_too_long',
    message: `${bytes.length} bytes do not fit a version ${LEVEL_M_LAYOUTS.length} QR code`,
  };
}

/** Data bits (mode, length, bytes, terminator, padding), split into blocks, each with its correction. */
function codewords(bytes: readonly number[], countBits: number, layout: VersionLayout): number[] {
  const bits: number[] = [];
  const put = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(bytes.length, countBits);
  for (const b of bytes) put(b, 8);
  const capacity = dataCodewords(layout) * 8;
  put(0, Math.min(4, capacity - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  for (let pad = 0xec; bits.length < capacity; pad ^= 0xec ^ 0x11) put(pad, 8);
  const data: number[] = [];
  for (let i = 0; i < bits.length; i += 8)
    data.push(bits.slice(i, i + 8).reduce((acc, b) => (acc << 1) | b, 0));

  const blocks: number[][] = [];
  let at = 0;
  for (const [count, size] of layout.groups) {
    for (let i = 0; i < count; i++) {
      blocks.push(data.slice(at, at + size));
      at += size;
    }
  }
  const corrections = blocks.map((block) => errorCorrection(block, layout.ecPerBlock));
  const longest = Math.max(...blocks.map((b) => b.length));
  const out: number[] = [];
  for (let i = 0; i < longest; i++) for (const block of blocks) if (i < block.length) out.push(block[i] ?? 0);
  for (let i = 0; i < layout.ecPerBlock; i++) for (const ec of corrections) out.push(ec[i] ?? 0);
  return out;
}

class Grid {
  readonly dark: boolean[][];
  readonly reserved: boolean[][];
  constructor(readonly size: number) {
    this.dark = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
    this.reserved = Array.from({ length: size }, () => new Array<boolean>(size).fill(false));
  }
  fixed(row: number, col: number, dark: boolean): void {
    if (row < 0 || col < 0 || row >= this.size || col >= this.size) return;
    (this.dark[row] as boolean[])[col] = dark;
    (this.reserved[row] as boolean[])[col] = true;
  }
  isReserved(row: number, col: number): boolean {
    return this.reserved[row]?.[col] === true;
  }
}

function buildMatrix(version: number, layout: VersionLayout, data: readonly number[]): QrMatrix {
  const size = 17 + 4 * version;
  const grid = new Grid(size);
  drawFunctionPatterns(grid, version, layout);
  placeData(grid, data);
  let best: { mask: number; penalty: number; dark: boolean[][] } | undefined;
  for (let mask = 0; mask < 8; mask++) {
    const candidate = new Grid(size);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const value = grid.dark[r]?.[c] === true;
        const flip = !grid.isReserved(r, c) && maskHit(mask, r, c);
        candidate.fixed(r, c, value !== flip);
      }
    }
    drawFormatBits(candidate, mask);
    const penalty = penaltyScore(candidate.dark);
    if (!best || penalty < best.penalty) best = { mask, penalty, dark: candidate.dark };
  }
  const chosen = best as { mask: number; dark: boolean[][] };
  return { version, mask: chosen.mask, size, dark: chosen.dark };
}

function drawFunctionPatterns(grid: Grid, version: number, layout: VersionLayout): void {
  const size = grid.size;
  for (let i = 0; i < size; i++) {
    grid.fixed(6, i, i % 2 === 0);
    grid.fixed(i, 6, i % 2 === 0);
  }
  for (const [row, col] of [
    [3, 3],
    [3, size - 4],
    [size - 4, 3],
  ] as const) {
    // The 7×7 finder and its light separator: rings by Chebyshev distance from the centre.
    for (let dr = -4; dr <= 4; dr++) {
      for (let dc = -4; dc <= 4; dc++) {
        const ring = Math.max(Math.abs(dr), Math.abs(dc));
        grid.fixed(row + dr, col + dc, ring !== 2 && ring !== 4);
      }
    }
  }
  const centres = layout.alignment;
  const last = centres.length - 1;
  centres.forEach((row, i) => {
    centres.forEach((col, j) => {
      // The three corners where a finder sits get no alignment pattern.
      if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;
      for (let dr = -2; dr <= 2; dr++) {
        for (let dc = -2; dc <= 2; dc++)
          grid.fixed(row + dr, col + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
      }
    });
  });
  drawFormatBits(grid, 0); // reserves the format areas; the real bits are drawn per mask
  if (version >= 7) {
    let remainder = version;
    for (let i = 0; i < 12; i++) remainder = (remainder << 1) ^ ((remainder >>> 11) * 0x1f25);
    const bits = (version << 12) | remainder;
    for (let i = 0; i < 18; i++) {
      const dark = ((bits >>> i) & 1) === 1;
      const a = size - 11 + (i % 3);
      const b = Math.floor(i / 3);
      grid.fixed(b, a, dark);
      grid.fixed(a, b, dark);
    }
  }
}

/** 15 format bits (level and mask, BCH-protected, XOR 0x5412), twice, plus the one always-dark module. */
export function formatBits(mask: number): number {
  const data = (LEVEL_M_BITS << 3) | mask;
  let remainder = data;
  for (let i = 0; i < 10; i++) remainder = (remainder << 1) ^ ((remainder >>> 9) * 0x537);
  return ((data << 10) | remainder) ^ 0x5412;
}

function drawFormatBits(grid: Grid, mask: number): void {
  const size = grid.size;
  const bits = formatBits(mask);
  const bit = (i: number) => ((bits >>> i) & 1) === 1;
  for (let i = 0; i <= 5; i++) grid.fixed(i, 8, bit(i));
  grid.fixed(7, 8, bit(6));
  grid.fixed(8, 8, bit(7));
  grid.fixed(8, 7, bit(8));
  for (let i = 9; i < 15; i++) grid.fixed(8, 14 - i, bit(i));
  for (let i = 0; i < 8; i++) grid.fixed(8, size - 1 - i, bit(i));
  for (let i = 8; i < 15; i++) grid.fixed(size - 15 + i, 8, bit(i));
  grid.fixed(size - 8, 8, true);
}

/** Codeword bits in the zigzag: two-column strips from the right, up then down, skipping the timing column. */
function placeData(grid: Grid, data: readonly number[]): void {
  const size = grid.size;
  let index = 0;
  const total = data.length * 8;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let step = 0; step < size; step++) {
      const row = upward ? size - 1 - step : step;
      for (let j = 0; j < 2; j++) {
        const col = right - j;
        if (grid.isReserved(row, col)) continue;
        const dark = index < total && (((data[index >>> 3] ?? 0) >>> (7 - (index & 7))) & 1) === 1;
        (grid.dark[row] as boolean[])[col] = dark;
        index++;
      }
    }
  }
}

function maskHit(mask: number, r: number, c: number): boolean {
  switch (mask) {
    case 0:
      return (r + c) % 2 === 0;
    case 1:
      return r % 2 === 0;
    case 2:
      return c % 3 === 0;
    case 3:
      return (r + c) % 3 === 0;
    case 4:
      return (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0;
    case 5:
      return ((r * c) % 2) + ((r * c) % 3) === 0;
    case 6:
      return (((r * c) % 2) + ((r * c) % 3)) % 2 === 0;
    default:
      return (((r + c) % 2) + ((r * c) % 3)) % 2 === 0;
  }
}

/** The standard's four penalty rules; the mask with the lowest score is used. */
function penaltyScore(dark: boolean[][]): number {
  const size = dark.length;
  const at = (r: number, c: number) => dark[r]?.[c] === true;
  let score = 0;
  const lines: boolean[][] = [];
  for (let i = 0; i < size; i++) {
    lines.push(Array.from({ length: size }, (_, j) => at(i, j)));
    lines.push(Array.from({ length: size }, (_, j) => at(j, i)));
  }
  const finderLike = [true, false, true, true, true, false, true];
  for (const line of lines) {
    let run = 1;
    for (let i = 1; i <= size; i++) {
      if (i < size && line[i] === line[i - 1]) run++;
      else {
        if (run >= 5) score += 3 + (run - 5);
        run = 1;
      }
    }
    const padded = [false, false, false, false, ...line, false, false, false, false];
    for (let i = 0; i + 7 <= padded.length; i++) {
      if (!finderLike.every((v, k) => padded[i + k] === v)) continue;
      const before = padded.slice(Math.max(0, i - 4), i);
      const after = padded.slice(i + 7, i + 11);
      if ((before.length === 4 && before.every((v) => !v)) || (after.length === 4 && after.every((v) => !v)))
        score += 40;
    }
  }
  for (let r = 0; r + 1 < size; r++) {
    for (let c = 0; c + 1 < size; c++) {
      const v = at(r, c);
      if (at(r, c + 1) === v && at(r + 1, c) === v && at(r + 1, c + 1) === v) score += 3;
    }
  }
  const darkCount = dark.reduce((sum, row) => sum + row.filter(Boolean).length, 0);
  const percent = (darkCount * 100) / (size * size);
  score += Math.floor(Math.abs(percent - 50) / 5) * 10;
  return score;
}
