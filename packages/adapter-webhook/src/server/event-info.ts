import type { IncomingHttpHeaders } from 'node:http';

function first(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

// The headers senders use to name one delivery; a redelivery of the same event repeats it.
const DELIVERY_ID_HEADERS = [
  'x-github-delivery',
  'webhook-id',
  'svix-id',
  'x-gitlab-event-uuid',
  'x-request-id',
];

export function deliveryIdOf(headers: IncomingHttpHeaders): string | undefined {
  for (const name of DELIVERY_ID_HEADERS) {
    const value = first(headers, name);
    if (value !== undefined) return value.slice(0, 200);
  }
  return undefined;
}

/** The event type: GitHub's and GitLab's headers, else a `type` field in the payload (Standard Webhooks). */
export function eventTypeOf(headers: IncomingHttpHeaders, payload: unknown): string | undefined {
  const fromHeader = first(headers, 'x-github-event') ?? first(headers, 'x-gitlab-event');
  if (fromHeader !== undefined) return fromHeader;
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) {
    const type = (payload as Record<string, unknown>)['type'];
    if (typeof type === 'string' && type !== '') return type;
  }
  return undefined;
}
