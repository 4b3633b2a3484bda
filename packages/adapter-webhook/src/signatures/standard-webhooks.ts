import { secretsEqual } from '@hermes/adapter-core';
import { hmacSha256, standardWebhooksKey } from './hmac.js';
import { checkTimestamp, header, type VerifyInput, type VerifyResult } from './types.js';

/**
 * Standard Webhooks (and Svix, which uses `svix-` header names): `webhook-signature` holds one or more
 * space-separated `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`; any one matching is enough
 * (senders list several while rotating keys). The timestamp must be within the tolerance.
 */
export function verifyStandardWebhooks(input: VerifyInput): VerifyResult {
  const h = (name: string) =>
    header(input.headers, `webhook-${name}`) ?? header(input.headers, `svix-${name}`);
  const id = h('id');
  const timestamp = h('timestamp');
  const signatures = h('signature');
  if (id === undefined || signatures === undefined) {
    return { ok: false, reason: 'webhook-id and webhook-signature headers are required' };
  }
  const fresh = checkTimestamp(timestamp, input);
  if (!fresh.ok) return fresh;
  const expected = hmacSha256(standardWebhooksKey(input.secret), `${id}.${timestamp}.`, input.body).toString(
    'base64',
  );
  let matched = false;
  for (const entry of signatures.split(' ')) {
    const [version, signature] = entry.split(',', 2);
    // Every candidate is compared (no early exit), so timing does not reveal which one matched.
    if (version === 'v1' && signature !== undefined && secretsEqual(signature, expected)) matched = true;
  }
  return matched ? { ok: true, signedId: id } : { ok: false, reason: 'no v1 signature matches' };
}
