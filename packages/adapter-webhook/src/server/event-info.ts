import type { IncomingHttpHeaders } from 'node:http';
import type { ConcreteScheme } from '../signatures/verify.js';

/** The first value of a header, trimmed; undefined when absent or blank. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

// The header each sender names a delivery with; a redelivery of the same event repeats it.
const DELIVERY_ID_HEADERS: Record<ConcreteScheme | 'none', readonly string[]> = {
  github: ['x-github-delivery'],
  'standard-webhooks': [],
  gitlab: ['x-gitlab-event-uuid'],
  'generic-v2': ['x-request-id'],
  bearer: ['x-request-id'],
  none: ['x-github-delivery', 'webhook-id', 'svix-id', 'x-gitlab-event-uuid', 'x-request-id'],
};

/**
 * The delivery id shown to the sender and used as the message id: the signed id when the scheme signs
 * one, else the header the scheme's senders use. It names the delivery; it never decides whether it is
 * a redelivery (see `replayKeys`).
 */
export function deliveryIdOf(
  scheme: ConcreteScheme | 'none',
  headers: IncomingHttpHeaders,
  signedId: string | undefined,
): string | undefined {
  if (signedId !== undefined) return signedId.slice(0, 200);
  for (const name of DELIVERY_ID_HEADERS[scheme]) {
    const value = headerValue(headers, name);
    if (value !== undefined) return value.slice(0, 200);
  }
  return undefined;
}

/** The event type: GitHub's and GitLab's headers, else a `type` field in the payload (Standard Webhooks). */
export function eventTypeOf(headers: IncomingHttpHeaders, payload: unknown): string | undefined {
  const fromHeader = headerValue(headers, 'x-github-event') ?? headerValue(headers, 'x-gitlab-event');
  if (fromHeader !== undefined) return fromHeader;
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
    const type = (payload as Record<string, unknown>)['type'];
    if (typeof type === 'string' && type !== '') return type;
  }
  return undefined;
}
