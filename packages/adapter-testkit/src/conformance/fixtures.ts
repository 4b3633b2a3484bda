import { crc32, deflateSync } from 'node:zlib';
import { type LengthUnit, type MediaKind, measureLength } from '@hermes/adapter-core';

/** A real 2x2 RGB PNG (valid chunks and CRCs), built here so the bytes are known and tiny. */
export function tinyPng(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0); // width
  header.writeUInt32BE(2, 4); // height
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // colour type: truecolour
  // Each scanline starts with filter byte 0, then RGB triples.
  const pixels = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(pixels)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length, 0);
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed) >>> 0, 0);
  return Buffer.concat([length, typed, crc]);
}

/** A small media item of the given kind for the media-in scenario. */
export function sampleMedia(kind: MediaKind): { kind: MediaKind; bytes: Buffer; name: string; mime: string } {
  switch (kind) {
    case 'image':
    case 'sticker':
      return { kind, bytes: tinyPng(), name: 'conformance.png', mime: 'image/png' };
    case 'audio':
    case 'voice':
      // OggS capture pattern so sniffers recognise the container; the rest is filler.
      return {
        kind,
        bytes: Buffer.concat([Buffer.from('OggS'), Buffer.alloc(60, 7)]),
        name: 'conformance.ogg',
        mime: 'audio/ogg',
      };
    case 'video':
      return {
        kind,
        bytes: Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypmp42'), Buffer.alloc(52, 3)]),
        name: 'conformance.mp4',
        mime: 'video/mp4',
      };
    case 'file':
      return {
        kind,
        bytes: Buffer.from('hermes conformance file\nline two\n'),
        name: 'conformance.txt',
        mime: 'text/plain',
      };
  }
}

export interface LongMarkdown {
  text: string;
  /** Marker words in the order they appear; each is unique and fixed-width. */
  words: string[];
}

/**
 * Markdown about `factor` times `limit` long in `unit`: paragraphs with emphasis and non-ASCII text
 * (so char, utf16 and byte counts differ), lists and fenced code of varying sizes, plus one paragraph
 * and one code block longer than the limit, so a splitter has to cut inside a paragraph and a fence.
 */
export function longMarkdown(limit: number, unit: LengthUnit, factor = 3.5): LongMarkdown {
  const words: string[] = [];
  const word = () => {
    const w = `w${String(words.length).padStart(5, '0')}`;
    words.push(w);
    return w;
  };
  const sentence = () => `${word()} ${word()} **${word()}** naïve ☕ ${word()} _${word()}_ 🙂 ${word()}.`;
  const codeLine = () => `const ${word()} = '${word()}';`;
  const grow = (make: () => string, join: string, atLeast: number) => {
    const parts = [make()];
    while (measureLength(parts.join(join), unit) < atLeast) parts.push(make());
    return parts.join(join);
  };
  const sections: string[] = [];
  const target = Math.ceil(limit * factor);
  for (let i = 0; i === 0 || measureLength(sections.join('\n\n'), unit) < target; i += 1) {
    const sentences = Array.from({ length: 1 + (i % 4) }, sentence).join(' ');
    sections.push(`Section ${i + 1}: ${sentences}`);
    sections.push(`- ${word()} ${word()}\n- ${word()} café ${word()}\n- ${word()} ${word()}`);
    sections.push(`\`\`\`ts\n${Array.from({ length: 2 + (i % 5) }, codeLine).join('\n')}\n\`\`\``);
    if (i === 1) sections.push(grow(sentence, ' ', limit * 1.3));
    if (i === 2) sections.push(`\`\`\`ts\n${grow(codeLine, '\n', limit * 1.2)}\n\`\`\``);
  }
  return { text: sections.join('\n\n'), words };
}

/**
 * Index of the first marker word missing from `joined` (searched in order), or -1 when every word
 * is present in order. Fixed-width markers cannot match inside one another.
 */
export function firstMissingWord(joined: string, words: readonly string[]): number {
  let position = 0;
  for (let i = 0; i < words.length; i += 1) {
    const at = joined.indexOf(words[i]!, position);
    if (at < 0) return i;
    position = at + words[i]!.length;
  }
  return -1;
}
