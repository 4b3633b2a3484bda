/** What a speech endpoint returned, told by the file's own header rather than its content type. */
export type AudioFormat = 'ogg-opus' | 'ogg' | 'wav' | 'mp3' | 'flac' | 'aac' | 'unknown';

export const AUDIO_EXTENSION: Record<AudioFormat, string> = {
  'ogg-opus': 'ogg',
  ogg: 'ogg',
  wav: 'wav',
  mp3: 'mp3',
  flac: 'flac',
  aac: 'aac',
  unknown: 'bin',
};

export const AUDIO_MIME: Record<AudioFormat, string> = {
  'ogg-opus': 'audio/ogg',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  aac: 'audio/aac',
  unknown: 'application/octet-stream',
};

const ascii = (b: Uint8Array, at: number, text: string) =>
  b.length >= at + text.length && Buffer.from(b.subarray(at, at + text.length)).toString('latin1') === text;

/**
 * Ogg pages start with `OggS`; an Opus stream's first page (27-byte header plus its segment table)
 * carries the `OpusHead` identification packet.
 */
function isOggOpus(b: Uint8Array): boolean {
  if (b.length < 28) return false;
  const segments = b[26] ?? 0;
  return ascii(b, 27 + segments, 'OpusHead');
}

export function sniffAudio(b: Uint8Array): AudioFormat {
  if (ascii(b, 0, 'OggS')) return isOggOpus(b) ? 'ogg-opus' : 'ogg';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WAVE')) return 'wav';
  if (ascii(b, 0, 'fLaC')) return 'flac';
  if (ascii(b, 0, 'ID3')) return 'mp3';
  if (b.length >= 2 && b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0) {
    // ADTS AAC frames share the sync word; layer bits 00 mark AAC, anything else is MPEG audio.
    return ((b[1] ?? 0) & 0x06) === 0 ? 'aac' : 'mp3';
  }
  return 'unknown';
}
