// ISO/IEC 18004 figures for error-correction level M, versions 1 to 10 (up to 213 bytes): enough for the
// links a setup flow shows, and M survives a smudged or moiré-distorted terminal rendering.

export interface VersionLayout {
  /** Error-correction codewords per block. */
  ecPerBlock: number;
  /** [block count, data codewords per block] for the group(s) of blocks. */
  groups: ReadonlyArray<readonly [number, number]>;
  /** Centre coordinates of the alignment patterns, in both directions. */
  alignment: readonly number[];
}

export const LEVEL_M_LAYOUTS: readonly VersionLayout[] = [
  { ecPerBlock: 10, groups: [[1, 16]], alignment: [] },
  { ecPerBlock: 16, groups: [[1, 28]], alignment: [6, 18] },
  { ecPerBlock: 26, groups: [[1, 44]], alignment: [6, 22] },
  { ecPerBlock: 18, groups: [[2, 32]], alignment: [6, 26] },
  { ecPerBlock: 24, groups: [[2, 43]], alignment: [6, 30] },
  { ecPerBlock: 16, groups: [[4, 27]], alignment: [6, 34] },
  { ecPerBlock: 18, groups: [[4, 31]], alignment: [6, 22, 38] },
  {
    ecPerBlock: 22,
    groups: [
      [2, 38],
      [2, 39],
    ],
    alignment: [6, 24, 42],
  },
  {
    ecPerBlock: 22,
    groups: [
      [3, 36],
      [2, 37],
    ],
    alignment: [6, 26, 46],
  },
  {
    ecPerBlock: 26,
    groups: [
      [4, 43],
      [1, 44],
    ],
    alignment: [6, 28, 50],
  },
];

/** Format bits for level M are 00. */
export const LEVEL_M_BITS = 0b00;

export function dataCodewords(layout: VersionLayout): number {
  return layout.groups.reduce((sum, [blocks, size]) => sum + blocks * size, 0);
}
