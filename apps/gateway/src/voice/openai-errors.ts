import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { VoiceError } from './voice-errors.js';

/** An SDK failure as one readable line naming the fix; the server's message is cut short and never the key. */
export function voiceErrorFrom(err: unknown, what: 'transcription' | 'speech', keyEnv: string): VoiceError {
  if (err instanceof VoiceError) return err;
  if (err instanceof APIConnectionTimeoutError || err instanceof APIUserAbortError)
    return new VoiceError('timeout', `the ${what} endpoint did not answer in time`);
  if (err instanceof APIConnectionError)
    return new VoiceError('unreachable', `the ${what} endpoint could not be reached`);
  if (err instanceof APIError) {
    const status = err.status ?? 0;
    const hint =
      status === 401 || status === 403
        ? ` (check ${keyEnv})`
        : status === 404
          ? ' (the endpoint or model does not exist there)'
          : '';
    const detail = (err.error as { message?: unknown } | undefined)?.message;
    const said = typeof detail === 'string' && detail ? `: ${detail.slice(0, 160)}` : '';
    return new VoiceError('rejected', `the ${what} endpoint answered ${status}${hint}${said}`);
  }
  return new VoiceError('rejected', `the ${what} request failed: ${(err as Error).message.slice(0, 160)}`);
}
