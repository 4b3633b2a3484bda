/** How many leading bytes `sniffMime` looks at; pass at least this many when you have them. */
export const SNIFF_BYTES = 64;

const ascii = (head: Uint8Array, offset: number, text: string): boolean => {
  if (head.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i++) {
    if (head[offset + i] !== text.charCodeAt(i)) return false;
  }
  return true;
};

const bytes = (head: Uint8Array, offset: number, values: readonly number[]): boolean =>
  head.length >= offset + values.length && values.every((v, i) => head[offset + i] === v);

function indexOfAscii(head: Uint8Array, text: string, limit: number): number {
  const end = Math.min(head.length, limit) - text.length;
  for (let i = 0; i <= end; i++) if (ascii(head, i, text)) return i;
  return -1;
}

function sniffRiff(head: Uint8Array): string | undefined {
  if (!ascii(head, 0, 'RIFF')) return undefined;
  if (ascii(head, 8, 'WEBP')) return 'image/webp';
  if (ascii(head, 8, 'WAVE')) return 'audio/wav';
  if (ascii(head, 8, 'AVI ')) return 'video/x-msvideo';
  return undefined;
}

// ISO base media files (mp4, m4a, mov, heic, 3gp) say what they are in the `ftyp` box's major brand.
function sniffFtyp(head: Uint8Array): string | undefined {
  if (!ascii(head, 4, 'ftyp') || head.length < 12) return undefined;
  const brand = String.fromCharCode(...head.subarray(8, 12));
  if (brand === 'M4A ' || brand === 'M4B ' || brand === 'M4P ') return 'audio/mp4';
  if (brand === 'qt  ') return 'video/quicktime';
  if (brand.startsWith('3g2')) return 'video/3gpp2';
  if (brand.startsWith('3gp')) return 'video/3gpp';
  if (brand === 'heic' || brand === 'heix' || brand === 'mif1' || brand === 'msf1') return 'image/heic';
  if (brand === 'avif' || brand === 'avis') return 'image/avif';
  return 'video/mp4';
}

function sniffOgg(head: Uint8Array): string | undefined {
  if (!ascii(head, 0, 'OggS')) return undefined;
  // The first page's first packet starts at 28 when it has a single segment (always so for these headers).
  if (bytes(head, 28, [0x80]) && ascii(head, 29, 'theora')) return 'video/ogg';
  return 'audio/ogg';
}

// MPEG audio frame header: 11 sync bits, then version/layer/bitrate/sample-rate fields with reserved values.
function sniffMpegFrame(head: Uint8Array): string | undefined {
  if (head.length < 4 || head[0] !== 0xff || (head[1]! & 0xe0) !== 0xe0) return undefined;
  const version = (head[1]! >> 3) & 0b11;
  const layer = (head[1]! >> 1) & 0b11;
  if (layer === 0) {
    // Layer 00 with MPEG-4/2 version bits is an ADTS AAC stream.
    return (head[1]! & 0xf6) === 0xf0 ? 'audio/aac' : undefined;
  }
  const bitrate = head[2]! >> 4;
  const sampleRate = (head[2]! >> 2) & 0b11;
  if (version === 0b01 || bitrate === 0b1111 || sampleRate === 0b11) return undefined;
  return 'audio/mpeg';
}

function sniffMatroska(head: Uint8Array): string | undefined {
  if (!bytes(head, 0, [0x1a, 0x45, 0xdf, 0xa3])) return undefined;
  if (indexOfAscii(head, 'webm', SNIFF_BYTES) >= 0) return 'video/webm';
  return 'video/x-matroska';
}

/**
 * The MIME type the leading bytes of a file prove, or undefined when no known signature matches.
 * Recognises JPEG, PNG, GIF, WebP, BMP, TIFF, HEIC/AVIF, PDF, ZIP, GZIP, Ogg (Opus/Vorbis/Theora),
 * MP3 (ID3 tag or bare frame), AAC (ADTS), FLAC, WAV, AVI, MP4/M4A/MOV/3GP, WebM/Matroska, AMR and
 * SILK (the WeChat/WeCom voice codec).
 */
export function sniffMime(head: Uint8Array): string | undefined {
  if (bytes(head, 0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (bytes(head, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'image/gif';
  // "BM" alone is too weak (plain text can start with it); the four reserved header bytes are zero.
  if (ascii(head, 0, 'BM') && bytes(head, 6, [0, 0, 0, 0])) return 'image/bmp';
  if (bytes(head, 0, [0x49, 0x49, 0x2a, 0x00]) || bytes(head, 0, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'image/tiff';
  if (ascii(head, 0, '%PDF-')) return 'application/pdf';
  if (ascii(head, 0, 'PK') && (bytes(head, 2, [3, 4]) || bytes(head, 2, [5, 6]) || bytes(head, 2, [7, 8]))) {
    return 'application/zip';
  }
  if (bytes(head, 0, [0x1f, 0x8b, 0x08])) return 'application/gzip';
  if (ascii(head, 0, 'fLaC')) return 'audio/flac';
  if (ascii(head, 0, 'ID3')) return 'audio/mpeg';
  if (ascii(head, 0, '#!AMR-WB\n')) return 'audio/amr-wb';
  if (ascii(head, 0, '#!AMR\n')) return 'audio/amr';
  // SILK v3 files; WeChat writes one extra 0x02 byte before the magic.
  if (ascii(head, 0, '#!SILK_V3') || (head[0] === 0x02 && ascii(head, 1, '#!SILK_V3'))) return 'audio/silk';
  return sniffRiff(head) ?? sniffFtyp(head) ?? sniffOgg(head) ?? sniffMatroska(head) ?? sniffMpegFrame(head);
}
