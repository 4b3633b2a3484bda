import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger, MediaKind, OutboundMedia, PlatformAdapter } from '@hermes/adapter-core';
import { AUDIO_EXTENSION, AUDIO_MIME, sniffAudio } from './audio-format.js';
import { convertToOggOpus, findFfmpeg } from './opus-convert.js';
import { speakableText } from './speakable-text.js';
import { synthesizeSpeech } from './speech.js';
import type { TtsSettings } from './voice-config.js';
import type { VoiceError } from './voice-errors.js';

/** Spoken replies stay a day (an outbox retry after a restart may still send one), then are swept. */
const KEEP_MS = 24 * 3_600_000;

export type SpokenReply =
  | { kind: 'media'; media: OutboundMedia; converter: 'ffmpeg' | 'none' }
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
 * Reply text → `/v1/audio/speech` → Ogg/Opus (ffmpeg when on PATH; audio the endpoint already returned as
 * Ogg/Opus is kept as is; without ffmpeg the audio goes as returned, as an audio file) → a file under `dir`.
 * Logs which converter ran.
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
  const audio = await synthesizeSpeech(o.settings, say);
  if (!audio.ok) return { kind: 'failed', error: audio.error };
  const now = Date.now();
  await mkdir(o.dir, { recursive: true, mode: 0o700 });
  await sweep(o.dir, now);
  const format = sniffAudio(audio.value);
  const stem = join(o.dir, `reply-${now}-${Math.random().toString(36).slice(2, 8)}`);
  if (format === 'ogg-opus') {
    const path = `${stem}.ogg`;
    await writeFile(path, audio.value, { mode: 0o600 });
    o.logger.info('spoken reply ready', { converter: 'none', reason: 'the endpoint returned Ogg/Opus' });
    return { kind: 'media', converter: 'none', media: voiceMedia(path) };
  }
  const raw = `${stem}.${AUDIO_EXTENSION[format]}`;
  await writeFile(raw, audio.value, { mode: 0o600 });
  const ffmpeg = o.ffmpeg === undefined ? findFfmpeg() : o.ffmpeg;
  if (ffmpeg) {
    const converted = await convertToOggOpus(ffmpeg, raw, `${stem}.ogg`);
    if (converted.ok) {
      await rm(raw, { force: true });
      o.logger.info('spoken reply ready', { converter: 'ffmpeg', from: format });
      return { kind: 'media', converter: 'ffmpeg', media: voiceMedia(converted.value) };
    }
    o.logger.warn('spoken reply not converted; sending the audio as returned', {
      converter: 'ffmpeg',
      from: format,
      error: converted.error.message,
    });
  } else
    o.logger.warn('ffmpeg is not on PATH; sending the spoken reply as returned, as an audio file', {
      converter: 'none',
      from: format,
    });
  return {
    kind: 'media',
    converter: 'none',
    media: { kind: 'audio', path: raw, mime: AUDIO_MIME[format], name: `reply.${AUDIO_EXTENSION[format]}` },
  };
}

function voiceMedia(path: string): OutboundMedia {
  return { kind: 'voice', path, mime: 'audio/ogg', name: 'reply.ogg' };
}
