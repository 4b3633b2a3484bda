import type { QrMatrix } from './qr-code.js';

const QUIET_ZONE = 2;
// Black on white whatever the terminal's own colours: scanners want dark modules on a light ground.
const PAINT = '\x1b[30;47m';
const RESET = '\x1b[0m';

/**
 * Two module rows per text line with half blocks, so the code stays square in a terminal font and fits
 * an 80×24 window up to version 6. A quiet zone of two modules (scanners in phones cope with less than the
 * standard's four; the terminal's margin adds to it).
 */
export function renderQrForTerminal(qr: QrMatrix): string[] {
  const span = qr.size + 2 * QUIET_ZONE;
  const isDark = (r: number, c: number) => qr.dark[r - QUIET_ZONE]?.[c - QUIET_ZONE] === true;
  const lines: string[] = [];
  for (let r = 0; r < span; r += 2) {
    let line = '';
    for (let c = 0; c < span; c++) {
      const top = isDark(r, c);
      const bottom = r + 1 < span && isDark(r + 1, c);
      line += top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ';
    }
    lines.push(`${PAINT}${line}${RESET}`);
  }
  return lines;
}
