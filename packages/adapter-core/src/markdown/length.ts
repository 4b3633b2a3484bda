import type { LengthUnit } from '../contract.js';

/**
 * Length of a text the way a platform counts it: `char` = Unicode code points, `utf16` = UTF-16 code
 * units (Telegram, JavaScript `length`), `byte` = UTF-8 bytes.
 */
export function measureLength(text: string, unit: LengthUnit): number {
  switch (unit) {
    case 'utf16':
      return text.length;
    case 'byte':
      return Buffer.byteLength(text, 'utf8');
    case 'char':
      return countCodePoints(text);
    default:
      throw new TypeError(`unknown length unit: ${String(unit)} (expected char, utf16 or byte)`);
  }
}

function countCodePoints(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const high = text.charCodeAt(i);
    if (high >= 0xd800 && high <= 0xdbff) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}
