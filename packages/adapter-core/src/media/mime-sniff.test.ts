import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sniffMime } from './mime-sniff.js';

/** Builds a byte prefix from a mix of numbers and ASCII strings, the way format specs lay headers out. */
function bytes(...parts: Array<number | string | number[]>): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === 'number') out.push(part);
    else if (typeof part === 'string') for (const ch of part) out.push(ch.charCodeAt(0));
    else out.push(...part);
  }
  return Uint8Array.from(out);
}

const zeros = (n: number): number[] => new Array<number>(n).fill(0);

// Ogg page header: "OggS", version, flags, granule(8), serial(4), sequence(4), crc(4), 1 segment of len.
const oggFirstPage = (packetLength: number, packet: Uint8Array): Uint8Array =>
  bytes(
    'OggS',
    0,
    2,
    zeros(8),
    [0x12, 0x34, 0x56, 0x78],
    zeros(4),
    [0xab, 0xcd, 0xef, 0x01],
    1,
    packetLength,
    [...packet],
  );

const ebmlHeader = (docType: string): Uint8Array =>
  bytes(
    [0x1a, 0x45, 0xdf, 0xa3, 0x9f],
    [0x42, 0x86, 0x81, 0x01],
    [0x42, 0xf7, 0x81, 0x01],
    [0x42, 0xf2, 0x81, 0x04],
    [0x42, 0xf3, 0x81, 0x08],
    [0x42, 0x82, 0x80 | docType.length],
    docType,
    [0x42, 0x87, 0x81, 0x04],
  );

const ftyp = (brand: string, compatible: string): Uint8Array =>
  bytes(zeros(3), 8 + 8 + compatible.length, 'ftyp', brand, zeros(4), compatible);

describe('sniffMime on real header layouts', () => {
  it.each<[string, Uint8Array, string]>([
    [
      'JPEG (JFIF)',
      bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], 'JFIF', 0, 1, 1, 0, 0, 0x48, 0, 0x48),
      'image/jpeg',
    ],
    ['JPEG (Exif)', bytes([0xff, 0xd8, 0xff, 0xe1, 0x1c, 0x45], 'Exif', 0, 0, 'MM', 0, 0x2a), 'image/jpeg'],
    [
      'PNG (a whole 1x1 file)',
      Buffer.from(
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
        'base64',
      ),
      'image/png',
    ],
    ['GIF89a', bytes('GIF89a', 1, 0, 1, 0, 0x80, 0, 0), 'image/gif'],
    ['GIF87a', bytes('GIF87a', 0x40, 1, 0xf0, 0), 'image/gif'],
    ['WebP', bytes('RIFF', [0x24, 0x00, 0x00, 0x00], 'WEBP', 'VP8 ', [0x18, 0, 0, 0]), 'image/webp'],
    [
      'BMP',
      bytes('BM', [0x3a, 0, 0, 0], zeros(4), [0x36, 0, 0, 0], [0x28, 0, 0, 0], [1, 0, 0, 0]),
      'image/bmp',
    ],
    ['TIFF (little endian)', bytes('II', 0x2a, 0, 8, 0, 0, 0), 'image/tiff'],
    ['HEIC', ftyp('heic', 'mif1heic'), 'image/heic'],
    ['AVIF', ftyp('avif', 'avifmif1miaf'), 'image/avif'],
    ['PDF', bytes('%PDF-1.7\n%', [0xe2, 0xe3, 0xcf, 0xd3]), 'application/pdf'],
    ['ZIP (local file header)', bytes('PK', 3, 4, 0x14, 0, 0, 0, 8, 0), 'application/zip'],
    ['ZIP (empty archive)', bytes('PK', 5, 6, zeros(18)), 'application/zip'],
    ['GZIP (made by zlib)', gzipSync(Buffer.from('hello hermes')), 'application/gzip'],
    ['Ogg Opus', oggFirstPage(19, bytes('OpusHead', 1, 2, 0x38, 1, 0x80, 0xbb, 0, 0, 0, 0, 0)), 'audio/ogg'],
    ['Ogg Vorbis', oggFirstPage(30, bytes(1, 'vorbis', 0, 0, 0, 0, 2, 0x44, 0xac, 0, 0)), 'audio/ogg'],
    ['Ogg Theora', oggFirstPage(42, bytes(0x80, 'theora', 3, 2, 1)), 'video/ogg'],
    ['MP3 with ID3v2.4 tag', bytes('ID3', 4, 0, 0, 0, 0, 0x0a, 0x2b), 'audio/mpeg'],
    ['MP3 bare frame (MPEG-1 layer III 128k 44.1k)', bytes(0xff, 0xfb, 0x90, 0x64, zeros(8)), 'audio/mpeg'],
    ['MP3 bare frame (MPEG-2 layer III)', bytes(0xff, 0xf3, 0x64, 0xc4), 'audio/mpeg'],
    ['AAC (ADTS)', bytes(0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc), 'audio/aac'],
    ['FLAC', bytes('fLaC', 0, 0, 0, 0x22, 0x10, 0), 'audio/flac'],
    ['WAV', bytes('RIFF', [0x24, 0x08, 0, 0], 'WAVE', 'fmt ', [0x10, 0, 0, 0], 1, 0), 'audio/wav'],
    ['AVI', bytes('RIFF', [0x00, 0x10, 0, 0], 'AVI ', 'LIST'), 'video/x-msvideo'],
    ['MP4 (isom)', ftyp('isom', 'isomiso2avc1mp41'), 'video/mp4'],
    ['MP4 (mp42)', ftyp('mp42', 'mp42isom'), 'video/mp4'],
    ['M4A', ftyp('M4A ', 'M4A mp42isom'), 'audio/mp4'],
    ['QuickTime MOV', ftyp('qt  ', 'qt  '), 'video/quicktime'],
    ['3GP', ftyp('3gp4', '3gp4isom'), 'video/3gpp'],
    ['WebM', ebmlHeader('webm'), 'video/webm'],
    ['Matroska', ebmlHeader('matroska'), 'video/x-matroska'],
    ['AMR-NB', bytes('#!AMR\n', 0x3c, 0x48), 'audio/amr'],
    ['AMR-WB', bytes('#!AMR-WB\n', 0x04), 'audio/amr-wb'],
    ['SILK v3', bytes('#!SILK_V3', 0x0c, 0x00), 'audio/silk'],
    ['SILK v3 as WeChat writes it', bytes(0x02, '#!SILK_V3', 0x0c, 0x00), 'audio/silk'],
  ])('%s → %s', (_label, head, mime) => {
    expect(sniffMime(head)).toBe(mime);
  });

  it.each<[string, Uint8Array]>([
    ['empty', bytes()],
    ['plain text', bytes('Hello, world')],
    ['HTML', bytes('<!doctype html><html>')],
    ['JSON', bytes('{"ok":true}')],
    ['text starting with BM', bytes('BMW makes cars, not bitmaps')],
    ['a truncated RIFF header', bytes('RIFF', 1, 2)],
    ['a RIFF of another kind', bytes('RIFF', zeros(4), 'CDXA')],
    ['0xFF bytes that are not an MPEG frame', bytes(0xff, 0xff, 0xff, 0xff)],
    ['MPEG sync with a reserved version', bytes(0xff, 0xeb, 0x90, 0x64)],
    ['three bytes of JPEG signature cut short', bytes(0xff, 0xd8)],
  ])('%s is not recognised', (_label, head) => {
    expect(sniffMime(head)).toBeUndefined();
  });
});
