import { VoiceError, type VoiceResult } from './voice-errors.js';

/** A WAV's samples, downmixed to mono, as floats in [-1, 1]. */
export interface MonoPcm {
  samples: Float32Array;
  sampleRate: number;
}

const PCM = 1;
const IEEE_FLOAT = 3;
const EXTENSIBLE = 0xfffe;

const bad = (why: string): VoiceResult<MonoPcm> => ({
  ok: false,
  error: new VoiceError('bad_audio', `the speech endpoint's WAV cannot be read (${why})`),
});

/** One sample reader per encoding a TTS server plausibly writes; anything else is refused by name. */
function sampleReader(format: number, bits: number): ((b: Buffer, at: number) => number) | undefined {
  if (format === PCM && bits === 16) return (b, at) => b.readInt16LE(at) / 32768;
  if (format === PCM && bits === 8) return (b, at) => ((b[at] ?? 128) - 128) / 128;
  if (format === PCM && bits === 24) return (b, at) => b.readIntLE(at, 3) / 8388608;
  if (format === PCM && bits === 32) return (b, at) => b.readInt32LE(at) / 2147483648;
  if (format === IEEE_FLOAT && bits === 32) return (b, at) => b.readFloatLE(at);
  return undefined;
}

/**
 * RIFF/WAVE → mono floats. Streaming writers (espeak-ng to a pipe, many TTS servers) leave the data size
 * as 0xFFFFFFFF or 0x7FFFFFFF: what is actually there is read.
 */
export function decodeWav(b: Buffer): VoiceResult<MonoPcm> {
  if (b.length < 12 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WAVE')
    return bad('no RIFF/WAVE header');
  let at = 12;
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | undefined;
  while (at + 8 <= b.length) {
    const id = b.toString('latin1', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > b.length) return bad('fmt chunk too short');
      let format = b.readUInt16LE(body);
      if (format === EXTENSIBLE && size >= 26 && body + 26 <= b.length) format = b.readUInt16LE(body + 24);
      fmt = {
        format,
        channels: b.readUInt16LE(body + 2),
        sampleRate: b.readUInt32LE(body + 4),
        bits: b.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) return bad('data chunk before the fmt chunk');
      const read = sampleReader(fmt.format, fmt.bits);
      if (!read) return bad(`format ${fmt.format} with ${fmt.bits}-bit samples is not supported`);
      if (fmt.channels < 1 || fmt.sampleRate < 1000) return bad('no channels or no sample rate');
      const frameBytes = (fmt.bits / 8) * fmt.channels;
      const frames = Math.floor(Math.min(size, b.length - body) / frameBytes);
      if (frames === 0) return bad('no samples');
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < fmt.channels; c++) sum += read(b, body + i * frameBytes + (c * fmt.bits) / 8);
        samples[i] = sum / fmt.channels;
      }
      return { ok: true, value: { samples, sampleRate: fmt.sampleRate } };
    }
    at = body + size + (size % 2);
  }
  return bad('no data chunk');
}

/**
 * Linear interpolation to 48 kHz, the rate Opus encodes at. No anti-alias filter: TTS output is 16–24 kHz
 * speech, so the common case upsamples, where linear is transparent enough for a voice note.
 */
export function resampleTo48k(pcm: MonoPcm): Float32Array {
  if (pcm.sampleRate === 48_000) return pcm.samples;
  const { samples, sampleRate } = pcm;
  const out = new Float32Array(Math.max(1, Math.floor((samples.length * 48_000) / sampleRate)));
  const step = sampleRate / 48_000;
  const last = samples.length - 1;
  for (let i = 0; i < out.length; i++) {
    const pos = i * step;
    const i0 = Math.min(Math.floor(pos), last);
    const i1 = Math.min(i0 + 1, last);
    const frac = pos - i0;
    out[i] = (samples[i0] ?? 0) * (1 - frac) + (samples[i1] ?? 0) * frac;
  }
  return out;
}
