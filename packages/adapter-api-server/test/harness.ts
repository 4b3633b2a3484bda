import OpenAI from 'openai';
import { afterEach } from 'vitest';
import {
  type ApiServerEchoHost,
  type EchoHostOptions,
  startApiServerEchoHost,
} from '../src/testing/index.js';

export const KEY = 'test-key-0123456789abcdef';

const started: ApiServerEchoHost[] = [];

/** Starts an echo host that is closed after the current test. */
export async function startHost(options: EchoHostOptions = {}): Promise<ApiServerEchoHost> {
  const host = await startApiServerEchoHost({ ...options, config: { key: KEY, ...options.config } });
  started.push(host);
  return host;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((h) => h.close()));
});

export function openaiClient(
  host: ApiServerEchoHost,
  o: { key?: string; headers?: Record<string, string> } = {},
) {
  return new OpenAI({
    apiKey: o.key ?? KEY,
    baseURL: host.baseURL,
    maxRetries: 0,
    timeout: 10_000,
    ...(o.headers ? { defaultHeaders: o.headers } : {}),
  });
}

/** A promise with its resolve handle, to hold the fake host's answer until a test lets it go. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

export async function postJson(
  host: ApiServerEchoHost,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const res = await fetch(`${host.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}
