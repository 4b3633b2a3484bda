import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { voiceErrorFrom } from './openai-errors.js';
import type { SttSettings } from './voice-config.js';
import { VoiceError, type VoiceResult } from './voice-errors.js';

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/** A keyless local server still needs some bearer for the SDK; it is not a secret. */
export const NO_KEY = 'no-key';

/** Sends one local audio file to `/v1/audio/transcriptions`; the transcript or why not. */
export async function transcribeFile(
  settings: SttSettings,
  path: string,
  o: { name?: string; mime?: string } = {},
): Promise<VoiceResult<string>> {
  if (!settings.configured)
    return {
      ok: false,
      error: new VoiceError(
        'not_configured',
        'no transcription endpoint is configured (set HERMES_STT_BASE_URL, or OPENAI_BASE_URL / OPENAI_API_KEY)',
      ),
    };
  let data: Buffer;
  try {
    const info = await stat(path);
    if (info.size > settings.maxBytes)
      return {
        ok: false,
        error: new VoiceError(
          'too_large',
          `the audio is ${mb(info.size)}; transcription takes at most ${mb(settings.maxBytes)}`,
        ),
      };
    if (info.size === 0) return { ok: false, error: new VoiceError('bad_audio', 'the audio file is empty') };
    data = await readFile(path);
  } catch (err) {
    return {
      ok: false,
      error: new VoiceError(
        'unreadable',
        `the audio file could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      ),
    };
  }
  const client = new OpenAI({
    apiKey: settings.apiKey ?? NO_KEY,
    ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
    timeout: settings.timeoutMs,
    maxRetries: 1,
  });
  try {
    const file = await toFile(data, o.name ?? basename(path), o.mime ? { type: o.mime } : undefined);
    const result = await client.audio.transcriptions.create({ file, model: settings.model });
    const text = result.text?.trim() ?? '';
    if (!text) return { ok: false, error: new VoiceError('empty', 'no speech was recognised in it') };
    return { ok: true, value: text };
  } catch (err) {
    return { ok: false, error: voiceErrorFrom(err, 'transcription', 'HERMES_STT_API_KEY') };
  }
}
