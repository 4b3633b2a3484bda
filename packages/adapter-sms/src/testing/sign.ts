import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import twilio from 'twilio';
import { encodeTwilioForm } from '../twilio-params.js';

export type WebhookParams = Readonly<Record<string, string | readonly string[]>>;

/**
 * X-Twilio-Signature as Twilio computes it: base64 HMAC-SHA1 keyed with the auth token over the URL it
 * posts to followed by each form field name and value, sorted by name (the SDK's own implementation).
 */
export function twilioSignature(authToken: string, url: string, params: WebhookParams): string {
  const plain: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(params)) plain[k] = typeof v === 'string' ? v : [...v];
  return twilio.getExpectedTwilioSignature(authToken, url, plain);
}

/** The headers and body of one signed webhook, for tests that send it their own way (raw sockets). */
export function signedWebhook(
  authToken: string,
  url: string,
  params: WebhookParams,
  o: { idempotencyToken?: string } = {},
): { headers: Record<string, string>; body: string } {
  const body = encodeTwilioForm(params);
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
      'x-twilio-signature': twilioSignature(authToken, url, params),
      'i-twilio-idempotency-token': o.idempotencyToken ?? randomUUID(),
      'user-agent': 'TwilioProxy/1.1',
    },
  };
}

export interface WebhookPostResult {
  status: number;
  body: string;
  /** Attempts made, the successful one included. */
  attempts: number;
}

export interface PostWebhookOptions {
  authToken: string;
  /** The URL Twilio signs (the number's configured webhook URL); default: the URL posted to. */
  signedUrl?: string;
  /** Twilio retries a webhook that got no answer, a timeout or a 5xx; default 0 (one attempt). */
  retries?: number;
  /** Per attempt. Default 5000 ms (Twilio's own is 15 s). */
  timeoutMs?: number;
  /** Replaces the computed signature (tests of wrong signatures). */
  signature?: string | null;
  /** Extra or replacing headers. */
  headers?: Record<string, string>;
}

function postOnce(url: string, headers: Record<string, string>, body: string, timeoutMs: number) {
  const send = url.startsWith('https:') ? httpsRequest : request;
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`webhook timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Posts a webhook the way Twilio does: form-encoded, signed, with an idempotency token that stays the
 * same across retries, and retried (same body, same signature) when the connection fails, times out or
 * the answer is a 5xx.
 */
export async function postTwilioWebhook(
  url: string,
  params: WebhookParams,
  o: PostWebhookOptions,
): Promise<WebhookPostResult> {
  const signed = signedWebhook(o.authToken, o.signedUrl ?? url, params);
  const headers: Record<string, string> = { ...signed.headers, ...o.headers };
  if (o.signature === null) delete headers['x-twilio-signature'];
  else if (o.signature !== undefined) headers['x-twilio-signature'] = o.signature;
  const attempts = (o.retries ?? 0) + 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await postOnce(url, headers, signed.body, o.timeoutMs ?? 5000);
      if (res.status < 500 || attempt === attempts) return { ...res, attempts: attempt };
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(
    `webhook to ${url} failed after ${attempts} attempt(s): ${lastError instanceof Error ? lastError.message : String(lastError)}`,
  );
}
