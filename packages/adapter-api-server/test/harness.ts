import type { Socket } from 'node:net';
import { openRawSocket, type RawHttpResponse, sendRawHttp, socketReceives } from '@hermes/adapter-testkit';
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

export type RawResponse = RawHttpResponse;

function portOf(host: ApiServerEchoHost): number {
  const port = host.adapter.address?.port;
  if (port === undefined) throw new Error('server is not listening');
  return port;
}

/** Opens a plain TCP connection to the server, for requests fetch() will not send (bad Host, odd targets). */
export const openSocket = async (host: ApiServerEchoHost): Promise<Socket> => openRawSocket(portOf(host));

/** Sends `request` verbatim (it should ask for `Connection: close`) and parses the answer. */
export const rawHttp = async (host: ApiServerEchoHost, request: string, timeoutMs = 5000) =>
  sendRawHttp(portOf(host), request, { timeoutMs });

export { socketReceives };

/** A minimal chat completion body for the served model. */
export const chatBody = (content = 'x', extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'hermes-agent', messages: [{ role: 'user', content }], ...extra });
