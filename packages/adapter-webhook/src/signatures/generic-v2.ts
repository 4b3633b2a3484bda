import { secretsEqual } from '@hermes/adapter-core';
import { hmacSha256 } from './hmac.js';
import { checkTimestamp, header, type VerifyInput, type VerifyResult } from './types.js';

/**
 * Hermes generic v2: `X-Webhook-Signature-V2` = hex HMAC-SHA256(secret, "<X-Webhook-Timestamp>.<body>"),
 * timestamp within the tolerance. Binding the timestamp into the MAC is what makes old captures useless.
 */
export function verifyGenericV2(input: VerifyInput): VerifyResult {
  const given = header(input.headers, 'x-webhook-signature-v2');
  if (given === undefined) return { ok: false, reason: 'X-Webhook-Signature-V2 header missing' };
  const timestamp = header(input.headers, 'x-webhook-timestamp');
  const fresh = checkTimestamp(timestamp, input);
  if (!fresh.ok) return fresh;
  const expected = hmacSha256(input.secret, `${timestamp}.`, input.body).toString('hex');
  const normalised = given
    .trim()
    .toLowerCase()
    .replace(/^sha256=/, '');
  return secretsEqual(normalised, expected) ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}
