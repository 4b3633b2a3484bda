import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { secretsEqual } from '@hermes/adapter-core';

export type SignatureVerdict = { ok: true } | { ok: false; reason: string };

/** `sha256=<hex HMAC-SHA256(app secret, raw body)>`, the value Meta puts in X-Hub-Signature-256. */
export function whatsappSignature(appSecret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** Checks X-Hub-Signature-256 over the exact bytes received, in constant time. */
export function verifyWhatsappSignature(
  headers: IncomingHttpHeaders,
  body: Buffer,
  appSecret: string,
): SignatureVerdict {
  const raw = headers['x-hub-signature-256'];
  const given = Array.isArray(raw) ? raw[0] : raw;
  if (given === undefined || given.trim() === '') {
    return { ok: false, reason: 'X-Hub-Signature-256 header missing' };
  }
  return secretsEqual(given.trim().toLowerCase(), whatsappSignature(appSecret, body))
    ? { ok: true }
    : { ok: false, reason: 'signature mismatch (is WHATSAPP_APP_SECRET the app secret of this Meta app?)' };
}
