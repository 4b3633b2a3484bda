import type { Logger } from '@hermes/adapter-core';
import { afterEach } from 'vitest';
import type { WebhookConfigInput } from '../src/index.js';
import { startWebhookReceiver, type WebhookReceiver } from '../src/testing/index.js';

const started: WebhookReceiver[] = [];

export async function startReceiver(
  config: WebhookConfigInput,
  o: { now?: () => number; logger?: Logger } = {},
): Promise<WebhookReceiver> {
  const receiver = await startWebhookReceiver(config, o);
  started.push(receiver);
  return receiver;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((r) => r.close()));
});

export async function post(
  url: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
  method = 'POST',
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(method === 'GET' ? {} : { body }),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: res.status, json, headers: res.headers };
}

/** A clock tests can move: drives the rate limit, the redelivery memory and the timestamp window together. */
export function manualClock(start = Date.now()) {
  let now = start;
  return {
    now: () => now,
    seconds: () => Math.floor(now / 1000),
    advance(ms: number) {
      now += ms;
    },
  };
}
