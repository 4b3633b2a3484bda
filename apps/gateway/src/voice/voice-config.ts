import type { EnvLike } from '@hermes/adapter-core';

/** The model endpoint the gateway talks to (config.model): speech defaults to it. */
export interface ModelEndpoint {
  baseURL?: string;
  apiKey?: string;
}

export interface VoiceEndpoint {
  /** Undefined: the OpenAI default endpoint. */
  baseURL?: string;
  apiKey?: string;
  model: string;
  /** Where the endpoint came from, for /voice status. */
  source: 'own' | 'model';
  /** False when neither a base URL nor a key is known: a request could only fail. */
  configured: boolean;
  timeoutMs: number;
}

export interface SttSettings extends VoiceEndpoint {
  /** The largest file sent for transcription (OpenAI's own limit is 25 MB). */
  maxBytes: number;
}

export interface TtsSettings extends VoiceEndpoint {
  voice: string;
}

export interface VoiceSettings {
  stt: SttSettings;
  tts: TtsSettings;
}

const DEFAULT_TIMEOUT_MS = 60_000;
export const STT_MAX_BYTES = 25 * 1024 * 1024;

function seconds(raw: string | undefined): number {
  const n = Number(raw);
  return raw && Number.isFinite(n) && n > 0 ? Math.min(n, 600) * 1000 : DEFAULT_TIMEOUT_MS;
}

function endpoint(env: EnvLike, prefix: 'HERMES_STT' | 'HERMES_TTS', model: ModelEndpoint, name: string) {
  const own = env[`${prefix}_BASE_URL`]?.trim();
  const baseURL = own || model.baseURL;
  // The model's key goes only to the model's endpoint: a separate speech server gets its own key or none.
  const apiKey =
    env[`${prefix}_API_KEY`]?.trim() || (own && own !== model.baseURL ? undefined : model.apiKey);
  const out: VoiceEndpoint = {
    model: env[`${prefix}_MODEL`]?.trim() || name,
    source: own ? 'own' : 'model',
    configured: Boolean(baseURL || apiKey),
    timeoutMs: seconds(env[`${prefix}_TIMEOUT_SECONDS`]),
  };
  if (baseURL) out.baseURL = baseURL;
  if (apiKey) out.apiKey = apiKey;
  return out;
}

/** `HERMES_STT_*` / `HERMES_TTS_*`, each defaulting to the model endpoint (OPENAI_BASE_URL / OPENAI_API_KEY). */
export function voiceSettings(env: EnvLike, model: ModelEndpoint): VoiceSettings {
  return {
    stt: { ...endpoint(env, 'HERMES_STT', model, 'whisper-1'), maxBytes: STT_MAX_BYTES },
    tts: {
      ...endpoint(env, 'HERMES_TTS', model, 'tts-1'),
      voice: env.HERMES_TTS_VOICE?.trim() || 'alloy',
    },
  };
}

/** One line for /voice status; never the key itself. */
export function describeEndpoint(kind: 'STT' | 'TTS', e: VoiceEndpoint): string {
  if (!e.configured)
    return `${kind}: not configured (set HERMES_${kind}_BASE_URL or OPENAI_BASE_URL / OPENAI_API_KEY)`;
  const where = e.baseURL ?? 'the OpenAI API';
  const from = e.source === 'own' ? `HERMES_${kind}_BASE_URL` : 'the model endpoint';
  return `${kind}: \`${e.model}\` at ${where} (${from}${e.apiKey ? ', with a key' : ', no key'})`;
}
