import type { IncomingHttpHeaders } from 'node:http';
import twilio from 'twilio';
import type { TwilioParams } from '../twilio-params.js';

export type SignatureVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Checks X-Twilio-Signature with the SDK's validator: base64 HMAC-SHA1 over the signed URL followed by
 * every POST field name and value, sorted by name, keyed with the auth token, compared in constant time
 * (the SDK also tries the URL with and without the default port, as Twilio may sign either).
 */
export function verifyTwilioSignature(
  headers: IncomingHttpHeaders,
  url: string,
  params: TwilioParams,
  authToken: string,
): SignatureVerdict {
  const header = headers['x-twilio-signature'];
  if (header === undefined || header === '') return { ok: false, reason: 'X-Twilio-Signature is missing' };
  if (Array.isArray(header)) return { ok: false, reason: 'X-Twilio-Signature appears more than once' };
  if (headers['x-twilio-webhooks-signature-settings'] !== undefined) {
    // SharedKey signing (HMAC-SHA256 with a separate secret) is not configured here.
    return { ok: false, reason: 'the request is signed with a SharedKey, which this adapter does not use' };
  }
  let valid: boolean;
  try {
    valid = twilio.validateRequest(authToken, header, url, params);
  } catch {
    return { ok: false, reason: 'the signed URL could not be parsed' };
  }
  return valid
    ? { ok: true }
    : { ok: false, reason: `X-Twilio-Signature does not match (signed URL checked: ${url})` };
}
