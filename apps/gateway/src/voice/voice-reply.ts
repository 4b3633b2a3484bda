import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger, MediaKind, OutboundMedia, PlatformAdapter } from '@hermes/adapter-core';
import { AUDIO_EXTENSION, AUDIO_MIME, sniffAudio } from './audio-format.js';
import { JS_ENCODER, wavToOggOpus } from './js-opus-encoder.js';
import { convertToOggOpus, findFfmpeg } from './opus-convert.js';
import { speakableText } from './speakable-text.js';
import { synthesizeSpeech } from './speech.js';
import type { TtsSettings } from './voice-config.js';
import type { VoiceError } from './voice-errors.js';

/** Spoken replies stay a day (an outbox retry after a restart may still send one), then are swept. */
const KEEP_MS = 24 * 3_600_000;

/** Which step made the voice note: ffmpeg, none needed (the endpoint sent Ogg/Opus), the WASM encoder, or none. */
export type Converter = 'ffmpeg' | 'endpoint-opus' | typeof JS_ENCODER | 'none';

export type SpokenReply =
  | { kind: 'media'; media: OutboundMedia; converter: Converter }
  | { kind: 'nothing-to-say' }
  | { kind: 'failed'; error: VoiceError };

/** The media kind this platform takes a spoken reply as: a voice bubble where it can, else an audio file. */
export function spokenKind(adapter: PlatformAdapter | undefined, wanted: MediaKind): MediaKind | undefined {
  const send = adapter?.capabilities.media.send ?? [];
  if (send.includes(wanted)) return wanted;
  if (send.includes('voice')) return 'voice';
  if (send.includes('audio')) return 'audio';
  if (send.includes('file')) return 'file';
  return undefined;
}

async function sweep(dir: string, now: number): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && now - info.mtimeMs > KEEP_MS) await rm(path, { force: true }).catch(() => undefined);
  }
}

/**
 * Reply text → `/v1/audio/speech` (Opus asked for) → Ogg/Opus → a file under `dir`. Ogg/Opus from the
 * endpoint is kept as is; anything else goes through ffmpeg when it is on PATH, else WAV goes through the
 * WASM encoder (a server that ignored `opus` with something else is asked once more, for `wav`). What
 * none of them can turn into Ogg/Opus goes as returned, as an audio file. Logs which converter ran.
 */
export async function speakReply(o: {
  settings: TtsSettings;
  text: string;
  dir: string;
  logger: Logger;
  /** The converter to use; undefined looks for ffmpeg on PATH, null means none. */
  ffmpeg?: string | null;
}): Promise<SpokenReply> {
  const say = speakableText(o.text);
  if (!say) return { kind: 'nothing-to-say' };
  const first = await synthesizeSpeech(o.settings, say, 'opus');
  if (!first.ok) return { kind: 'failed', error: first.error };
  let audio = first.value;
  let format = sniffAudio(audio);
  const ffmpeg = o.ffmpeg === undefined ? findFfmpeg() : o.ffmpeg;
  if (!ffmpeg && format !== 'ogg-opus' && format !== 'wav') {
    const again = await synthesizeSpeech(o.settings, say, 'wav');
    const againFormat = again.ok ? sniffAudio(again.value) : undefined;
    if (again.ok && (againFormat === 'wav' || againFormat === 'ogg-opus')) {
      audio = again.value;
      format = againFormat;
    } else
      o.logger.warn('ffmpeg is not on PATH and the speech endpoint sent no WAV when asked for one', {
        first: format,
        ...(again.ok ? { second: againFormat } : { error: again.error.message }),
      });
  }
  const now = Date.now();
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  await sweep(o.dir, now);
  const stem = join(o.dir, `reply-${now}-${Math.random().toString(36).slice(2, 8)}`);
  const ready = (converter: Converter, path: string, fields: Record<string, string>): SpokenReply => {
    o.logger.info('spoken reply ready', { converter, ...fields });
    return { kind: 'media', converter, media: voiceMedia(path) };
  };
  if (format === 'ogg-opus') {
    const path = `${stem}.ogg`;
    await writeFile(path, audio, { mode: 0o600 });
    return ready('endpoint-opus', path, { reason: 'the endpoint returned Ogg/Opus' });
  }
  const raw = `${stem}.${AUDIO_EXTENSION[format]}`;
  await writeFile(raw, audio, { mode: 0o600 });
  if (ffmpeg) {
    const converted = await convertToOggOpus(ffmpeg, raw, `${stem}.ogg`);
    if (converted.ok) {
      await rm(raw, { force: true });
      return ready('ffmpeg', converted.value, { from: format });
    }
    o.logger.warn('ffmpeg could not convert the spoken reply', {
      converter: 'ffmpeg',
      from: format,
      error: converted.error.message,
    });
  }
  if (format === 'wav') {
    const encoded = await wavToOggOpus(audio);
    if (encoded.ok) {
      const path = `${stem}.ogg`;
      await writeFile(path, encoded.value, { mode: 0o600 });
      await rm(raw, { force: true });
      return ready(JS_ENCODER, path, {
        from: format,
        reason: ffmpeg ? 'ffmpeg failed' : 'ffmpeg is not on PATH',
      });
    }
    o.logger.warn('the built-in Opus encoder could not convert the spoken reply', {
      converter: JS_ENCODER,
      error: encoded.error.message,
    });
  }
  o.logger.warn('spoken reply not converted; sending the audio as returned, as an audio file', {
    converter: 'none',
    from: format,
    ...(ffmpeg ? {} : { reason: 'ffmpeg is not on PATH and the audio is not WAV' }),
  });
  return {
    kind: 'media',
    converter: 'none',
    media: { kind: 'audio', path: raw, mime: AUDIO_MIME[format], name: `reply.${AUDIO_EXTENSION[format]}` },
  };
}

/** For /voice status: which converter a spoken reply would use now. */
export function describeConverter(ffmpeg = findFfmpeg()): string {
  return ffmpeg
    ? 'Converter: ffmpeg (voice notes as Ogg/Opus)'
    : `Converter: ${JS_ENCODER} (ffmpeg not on PATH: WAV from the endpoint is encoded to Ogg/Opus in-process)`;
}

function voiceMedia(path: string): OutboundMedia {
  return { kind: 'voice', path, mime: 'audio/ogg', name: 'reply.ogg' };
}
