/**
 * Strict readers for the audio files the voice tests pass around: a RIFF/WAV with its fmt and data
 * chunks, and an Ogg stream whose pages all carry the capture pattern and whose first packet is OpusHead.
 * Written apart from the gateway's own sniffing so a test never checks the code with itself.
 */
export interface WavInfo {
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  dataBytes: number;
}

export function parseWav(b: Buffer): WavInfo {
  if (b.length < 44 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WAVE')
    throw new Error('not a RIFF/WAVE file');
  let at = 12;
  let fmt: Omit<WavInfo, 'dataBytes'> | undefined;
  while (at + 8 <= b.length) {
    const id = b.toString('latin1', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      fmt = {
        channels: b.readUInt16LE(at + 10),
        sampleRate: b.readUInt32LE(at + 12),
        bitsPerSample: b.readUInt16LE(at + 22),
      };
    } else if (id === 'data') {
      if (!fmt) throw new Error('WAV data chunk before its fmt chunk');
      // espeak-ng writes to a pipe-friendly header whose sizes may be 0x7fffffff: count what is there.
      const dataBytes = Math.min(size, b.length - at - 8);
      if (dataBytes <= 0) throw new Error('WAV has no samples');
      return { ...fmt, dataBytes };
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('WAV has no data chunk');
}

export interface OggOpusInfo {
  pages: number;
  channels: number;
  inputSampleRate: number;
  hasOpusTags: boolean;
}

export function parseOggOpus(b: Buffer): OggOpusInfo {
  let at = 0;
  let pages = 0;
  let channels = 0;
  let inputSampleRate = 0;
  let hasOpusTags = false;
  while (at < b.length) {
    if (b.toString('latin1', at, at + 4) !== 'OggS') throw new Error(`no OggS capture pattern at byte ${at}`);
    if (b[at + 4] !== 0) throw new Error('unknown Ogg stream structure version');
    const segments = b[at + 26] ?? 0;
    let body = 0;
    for (let i = 0; i < segments; i++) body += b[at + 27 + i] ?? 0;
    const payload = at + 27 + segments;
    if (payload + body > b.length) throw new Error('truncated Ogg page');
    if (pages === 0) {
      if (((b[at + 5] ?? 0) & 0x02) === 0)
        throw new Error('first Ogg page is not marked beginning-of-stream');
      if (b.toString('latin1', payload, payload + 8) !== 'OpusHead')
        throw new Error('first packet is not OpusHead');
      if (b[payload + 8] !== 1) throw new Error('unknown OpusHead version');
      channels = b[payload + 9] ?? 0;
      inputSampleRate = b.readUInt32LE(payload + 12);
    } else if (pages === 1) hasOpusTags = b.toString('latin1', payload, payload + 8) === 'OpusTags';
    pages++;
    at = payload + body;
  }
  if (pages < 3) throw new Error(`only ${pages} Ogg page(s): no audio after the headers`);
  return { pages, channels, inputSampleRate, hasOpusTags };
}

/** Which of the two a buffer is, parsed strictly; throws on anything else. */
export function parseSpeechFile(
  b: Buffer,
): { format: 'wav'; info: WavInfo } | { format: 'ogg-opus'; info: OggOpusInfo } {
  if (b.toString('latin1', 0, 4) === 'OggS') return { format: 'ogg-opus', info: parseOggOpus(b) };
  return { format: 'wav', info: parseWav(b) };
}
