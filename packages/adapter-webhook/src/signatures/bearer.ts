import { secretsEqual } from '@hermes/adapter-core';
import { header, type VerifyInput, type VerifyResult } from './types.js';

/** `Authorization: Bearer <secret>`: for senders that can only set a header. */
export function verifyBearer(input: VerifyInput): VerifyResult {
  const match = /^Bearer\s+(.+)$/i.exec(header(input.headers, 'authorization')?.trim() ?? '');
  const token = match?.[1]?.trim();
  // Compared even when absent, so a missing token costs what a wrong one does.
  const equal = secretsEqual(token ?? '', input.secret);
  if (token === undefined) return { ok: false, reason: 'Authorization: Bearer header missing' };
  return equal ? { ok: true } : { ok: false, reason: 'token mismatch' };
}
