import { secretsEqual } from '@hermes/adapter-core';
import { hmacSha256 } from './hmac.js';
import { header, type VerifyInput, type VerifyResult } from './types.js';

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`. */
export function verifyGithub(input: VerifyInput): VerifyResult {
  const given = header(input.headers, 'x-hub-signature-256');
  if (given === undefined) return { ok: false, reason: 'X-Hub-Signature-256 header missing' };
  const expected = `sha256=${hmacSha256(input.secret, input.body).toString('hex')}`;
  return secretsEqual(given.trim().toLowerCase(), expected)
    ? { ok: true }
    : { ok: false, reason: 'signature mismatch' };
}
