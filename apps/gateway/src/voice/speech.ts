import OpenAI from 'openai';
import { voiceErrorFrom } from './openai-errors.js';
import { NO_KEY } from './transcribe.js';
import type { TtsSettings } from './voice-config.js';
import { VoiceError, type VoiceResult } from './voice-errors.js';

/** OpenAI's input limit for one speech request. */
export const TTS_MAX_CHARS = 4096;
/** A reply's audio beyond this is refused: something is wrong with the endpoint. */
const MAX_AUDIO_BYTES = 25 * 1024 * 1024;

/** The SDK's timeout ends when the headers arrive: the body gets its own deadline and size cap. */
async function readCapped(response: Response, timeoutMs: number): Promise<Buffer> {
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const parts: Uint8Array[] = [];
  let size = 0;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void reader.cancel().catch(() => undefined);
  }, timeoutMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_AUDIO_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw new VoiceError('too_large', 'the speech endpoint returned more than 25 MB of audio');
      }
      parts.push(value);
    }
  } finally {
    clearTimeout(timer);
  }
  if (timedOut)
    throw new VoiceError('timeout', 'the speech endpoint did not finish sending the audio in time');
  return Buffer.concat(parts);
}

/** What to ask the endpoint for: `opus` is Ogg/Opus (a voice bubble as is), `wav` what we decode without ffmpeg. */
export type SpeechFormat = 'opus' | 'wav';

/**
 * `/v1/audio/speech` for one text in the asked format; servers that ignore the format answer with what
 * they have, and the caller converts by the file's header.
 */
export async function synthesizeSpeech(
  settings: TtsSettings,
  text: string,
  format: SpeechFormat = 'opus',
): Promise<VoiceResult<Buffer>> {
  if (!settings.configured)
    return {
      ok: false,
      error: new VoiceError(
        'not_configured',
        'no speech endpoint is configured (set HERMES_TTS_BASE_URL, or OPENAI_BASE_URL / OPENAI_API_KEY)',
      ),
    };
  const client = new OpenAI({
    apiKey: settings.apiKey ?? NO_KEY,
    ...(settings.baseURL ? { baseURL: settings.baseURL } : {}),
    timeout: settings.timeoutMs,
    maxRetries: 1,
  });
  try {
    const response = await client.audio.speech.create({
      model: settings.model,
      voice: settings.voice,
      input: text.slice(0, TTS_MAX_CHARS),
      response_format: format,
    });
    const audio = await readCapped(response, settings.timeoutMs);
    if (audio.length === 0)
      return { ok: false, error: new VoiceError('empty', 'the speech endpoint returned no audio') };
    return { ok: true, value: audio };
  } catch (err) {
    return { ok: false, error: voiceErrorFrom(err, 'speech', 'HERMES_TTS_API_KEY') };
  }
}
