import { hmacSha256, standardWebhooksKey } from '../signatures/hmac.js';

/** Headers a GitHub webhook carries for this body. */
export function githubSignatureHeaders(
  secret: string,
  body: string,
  o: { event?: string; delivery?: string } = {},
) {
  const headers: Record<string, string> = {
    'x-hub-signature-256': `sha256=${hmacSha256(secret, body).toString('hex')}`,
  };
  if (o.event !== undefined) headers['x-github-event'] = o.event;
  if (o.delivery !== undefined) headers['x-github-delivery'] = o.delivery;
  return headers;
}

/** Headers of a Standard Webhooks delivery (`secret` as `whsec_<base64>`); `timestamp` in seconds. */
export function standardWebhookHeaders(secret: string, body: string, o: { id: string; timestamp: number }) {
  const signature = hmacSha256(standardWebhooksKey(secret), `${o.id}.${o.timestamp}.`, body).toString(
    'base64',
  );
  return {
    'webhook-id': o.id,
    'webhook-timestamp': String(o.timestamp),
    'webhook-signature': `v1,${signature}`,
  };
}

/** Headers of the Hermes generic v2 scheme; `timestamp` in seconds. */
export function genericV2Headers(secret: string, body: string, o: { timestamp: number; requestId?: string }) {
  const headers: Record<string, string> = {
    'x-webhook-timestamp': String(o.timestamp),
    'x-webhook-signature-v2': hmacSha256(secret, `${o.timestamp}.`, body).toString('hex'),
  };
  if (o.requestId !== undefined) headers['x-request-id'] = o.requestId;
  return headers;
}
