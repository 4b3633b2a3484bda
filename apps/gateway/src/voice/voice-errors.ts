/** Why a voice step failed; `message` is one line a user can read and act on (no secrets, no bodies). */
export type VoiceErrorCode =
  | 'not_configured'
  | 'too_large'
  | 'unreadable'
  | 'timeout'
  | 'unreachable'
  | 'rejected'
  | 'empty'
  | 'bad_audio'
  | 'convert_failed';

export class VoiceError extends Error {
  constructor(
    readonly code: VoiceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VoiceError';
  }
}

export type VoiceResult<T> = { ok: true; value: T } | { ok: false; error: VoiceError };
