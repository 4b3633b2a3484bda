// Cutting inside a word: only for a word (URL, hash, CJK run) longer than the limit. Cuts fall on
// grapheme boundaries so an emoji or a letter with its accents is never torn, and never inside an
// HTML character reference.

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const REFERENCE = /&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});/g;

/** The smallest pieces a word may be cut into. */
export function breakUnits(text: string): string[] {
  const units: string[] = [];
  let from = 0;
  for (const match of text.matchAll(REFERENCE)) {
    pushGraphemes(text.slice(from, match.index), units);
    units.push(match[0]);
    from = match.index + match[0].length;
  }
  pushGraphemes(text.slice(from), units);
  return units;
}

function pushGraphemes(text: string, units: string[]): void {
  if (text === '') return;
  // ASCII has one grapheme per character (except CR LF, which never reaches here): skip the segmenter.
  if (/^[\x20-\x7e]*$/.test(text)) {
    for (const ch of text) units.push(ch);
    return;
  }
  for (const { segment } of graphemes.segment(text)) units.push(segment);
}

/**
 * Packs units into pieces whose measured lengths stay within `budget`. A piece always holds at least
 * one unit, and a text that measured as fitting is still cut in two so that every call makes progress.
 */
export function packUnits(
  units: readonly string[],
  budget: number,
  unitLength: (unit: string) => number,
): string[] {
  if (units.length <= 1) return [...units];
  const pieces: string[] = [];
  let piece = '';
  let length = 0;
  for (const unit of units) {
    const add = unitLength(unit);
    if (piece !== '' && length + add > budget) {
      pieces.push(piece);
      piece = '';
      length = 0;
    }
    piece += unit;
    length += add;
  }
  pieces.push(piece);
  if (pieces.length > 1) return pieces;
  const half = Math.ceil(units.length / 2);
  return [units.slice(0, half).join(''), units.slice(half).join('')];
}
