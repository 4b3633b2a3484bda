import { muxOggOpus } from './ogg-opus-mux.js';
import { VoiceError, type VoiceResult } from './voice-errors.js';
import { decodeWav, resampleTo48k } from './wav-pcm.js';

/** The name logged as the converter when this encoder ran. */
export const JS_ENCODER = 'opusscript';

const RATE = 48_000;
/** 20 ms frames: what voice apps send and what the Ogg pages' granule arithmetic assumes. */
const FRAME = 960;
/** libopus's lookahead at 48 kHz outside restricted-low-delay (2.5 ms + 4 ms); opusscript cannot query it. */
const PRE_SKIP = 312;
const BITRATE = 32_000;
/** WASM encoding is synchronous: hand the event loop back every second of audio. */
const FRAMES_PER_SLICE = 50;

const failed = (why: string): VoiceResult<Buffer> => ({
  ok: false,
  error: new VoiceError('convert_failed', `the built-in Opus encoder could not convert the audio (${why})`),
});

/**
 * One encoding at a time: opusscript's encoders share one WASM heap and keep views into it, which a heap
 * grown by a concurrent encoder would leave detached.
 */
let queue: Promise<unknown> = Promise.resolve();

/**
 * WAV (any rate, 8/16/24/32-bit or float, any channels) → mono 48 kHz Ogg/Opus without ffmpeg, through
 * libopus compiled to WebAssembly (opusscript). The input is padded so the encoder's delay does not cut
 * the last syllable; the last page's granule position trims the padding again.
 */
export function wavToOggOpus(wav: Buffer): Promise<VoiceResult<Buffer>> {
  const run = queue.then(() => encode(wav));
  queue = run.catch(() => undefined);
  return run;
}

async function encode(wav: Buffer): Promise<VoiceResult<Buffer>> {
  const decoded = decodeWav(wav);
  if (!decoded.ok) return decoded;
  const pcm = resampleTo48k(decoded.value);
  let OpusScript: typeof import('opusscript');
  try {
    OpusScript = (await import('opusscript')).default;
  } catch (err) {
    return failed(`opusscript did not load: ${(err as Error).message}`);
  }
  let encoder: InstanceType<typeof OpusScript> | undefined;
  try {
    encoder = new OpusScript(RATE, 1, OpusScript.Application.VOIP);
    encoder.setBitrate(BITRATE);
    const frames = Math.ceil((pcm.length + PRE_SKIP) / FRAME);
    const packets: Buffer[] = [];
    const frame = Buffer.alloc(FRAME * 2);
    for (let f = 0; f < frames; f++) {
      for (let i = 0; i < FRAME; i++) {
        const v = pcm[f * FRAME + i] ?? 0;
        frame.writeInt16LE(Math.round(Math.max(-1, Math.min(1, v)) * 32767), i * 2);
      }
      packets.push(encoder.encode(frame, FRAME));
      if ((f + 1) % FRAMES_PER_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return {
      ok: true,
      value: muxOggOpus({
        packets,
        samplesPerPacket: FRAME,
        preSkip: PRE_SKIP,
        sampleCount: pcm.length,
        inputSampleRate: decoded.value.sampleRate,
        vendor: 'hermes-gateway (libopus via opusscript)',
        serial: Math.floor(Math.random() * 0xffffffff),
      }),
    };
  } catch (err) {
    return failed((err as Error).message);
  } finally {
    encoder?.delete();
  }
}
