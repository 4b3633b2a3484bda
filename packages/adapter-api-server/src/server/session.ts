import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const SESSION_ID_HEADER = 'x-hermes-session-id';
export const SESSION_KEY_HEADER = 'x-hermes-session-key';
const MAX_HEADER_LENGTH = 256;
// Session ids end up in session keys, file names and logs: keep them to a boring alphabet.
const SESSION_ID_PATTERN = /^[A-Za-z0-9._:@-]+$/;

export interface ApiSession {
  /** The chat id the host keys the session on; echoed back in `X-Hermes-Session-Id`. */
  sessionId: string;
  /** Where the id came from: the client's header, derived from its session key, or new. */
  source: 'header' | 'session_key' | 'generated';
  /** The client identity from `X-Hermes-Session-Key`, for hosts that map it to a session key. */
  sessionKey?: string;
}

export type SessionResult =
  | { ok: true; session: ApiSession }
  | { ok: false; header: string; message: string };

function single(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/**
 * `X-Hermes-Session-Id` continues that session. Without it, `X-Hermes-Session-Key` maps the same client
 * identity to the same session every time (through a hash, so the identity itself never becomes an id).
 * With neither, the request starts a new session whose id the response carries.
 */
export function resolveSession(headers: IncomingHttpHeaders): SessionResult {
  const id = single(headers[SESSION_ID_HEADER]);
  const key = single(headers[SESSION_KEY_HEADER]);
  if (key !== undefined && key.length > MAX_HEADER_LENGTH) {
    return {
      ok: false,
      header: 'X-Hermes-Session-Key',
      message: `must be at most ${MAX_HEADER_LENGTH} characters`,
    };
  }
  const withKey = (session: ApiSession): SessionResult => ({
    ok: true,
    session: key === undefined ? session : { ...session, sessionKey: key },
  });
  if (id !== undefined) {
    if (id.length > MAX_HEADER_LENGTH || !SESSION_ID_PATTERN.test(id)) {
      return {
        ok: false,
        header: 'X-Hermes-Session-Id',
        message: `must be 1-${MAX_HEADER_LENGTH} characters of letters, digits and . _ : @ -`,
      };
    }
    return withKey({ sessionId: id, source: 'header' });
  }
  if (key !== undefined) {
    const digest = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 32);
    return withKey({ sessionId: `key-${digest}`, source: 'session_key' });
  }
  return withKey({ sessionId: `api-${randomUUID()}`, source: 'generated' });
}
