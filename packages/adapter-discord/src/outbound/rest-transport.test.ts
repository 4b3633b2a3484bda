import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DefaultRestOptions, REST, type ResponseLike } from 'discord.js';
import { Agent, Headers, type RequestInit } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnswerHeaders, createRestTransport } from './rest-transport.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let agent: Agent;
let apiBase: string;
let seen: Seen[];

beforeEach(async () => {
  seen = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const status = req.url?.includes('/missing') ? 404 : 200;
      res.writeHead(status, [
        ['Content-Type', 'application/json'],
        ['X-RateLimit-Remaining', '4'],
        ['X-RateLimit-Reset-After', '1.5'],
        ['Via', 'one'],
        ['Via', 'two'],
      ]);
      res.end(JSON.stringify({ path: req.url, status }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  agent = new Agent();
});

afterEach(async () => {
  await agent.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** What @discordjs/rest hands its transport for a JSON request. */
function init(method: string, body?: unknown): RequestInit {
  return {
    method,
    body: body === undefined ? null : JSON.stringify(body),
    headers: {
      'User-Agent': 'DiscordBot (test)',
      Authorization: 'Bot token',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    dispatcher: agent,
    signal: new AbortController().signal,
  };
}

async function answer(res: ResponseLike) {
  const h = res.headers;
  return {
    status: res.status,
    statusText: res.statusText,
    ok: res.ok,
    contentType: h.get('Content-Type'),
    remaining: h.get('x-ratelimit-remaining'),
    resetAfter: h.get('X-RATELIMIT-RESET-AFTER'),
    via: h.get('via'),
    global: h.has('X-RateLimit-Global'),
    missing: h.get('X-RateLimit-Global'),
    json: await res.json(),
    bodyUsed: res.bodyUsed,
  };
}

describe('createRestTransport', () => {
  it('puts the same request on the wire and gives the same answer as the default transport', async () => {
    const transport = createRestTransport(apiBase);
    for (const [method, path, body] of [
      ['POST', '/v10/channels/123/messages', { content: 'hi', nonce: 'n1' }],
      ['GET', '/v10/channels/123/messages/456', undefined],
      ['PUT', '/v10/channels/123/messages/456/reactions/%F0%9F%91%80/@me', undefined],
      ['GET', '/v10/channels/123/missing', undefined],
      // Not plain paths: these take the default transport, which normalises them.
      ['GET', '/v10/channels/1/messages/../2', undefined],
      ['GET', '/v10/channels/1/messages/%2e%2E/2', undefined],
      ['GET', '/v10/channels/%2E/messages', undefined],
      ['GET', '/v10/gateway?x=1', undefined],
    ] as const) {
      const url = `${apiBase}${path}`;
      const ours = await answer(await transport(url, init(method, body)));
      const defaults = await answer(await DefaultRestOptions.makeRequest(url, init(method, body)));
      expect(ours).toEqual(defaults);
      const [a, b] = seen.splice(0, 2);
      expect(a).toBeDefined();
      expect({ ...a, headers: { ...a?.headers, host: '' } }).toEqual({
        ...b,
        headers: { ...b?.headers, host: '' },
      });
    }
  });

  it('carries the abort signal to the request', async () => {
    const transport = createRestTransport(apiBase);
    const controller = new AbortController();
    controller.abort();
    await expect(
      transport(`${apiBase}/v10/channels/1/messages`, { ...init('GET'), signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('serves discord.js REST end to end, rate-limit headers included', async () => {
    const rest = new REST({ api: apiBase, retries: 0, agent, makeRequest: createRestTransport(apiBase) });
    rest.setToken('token');
    try {
      const created = await rest.post('/channels/9/messages', { body: { content: 'x' } });
      expect(created).toEqual({ path: '/api/v10/channels/9/messages', status: 200 });
      expect(seen[0]?.headers['authorization']).toBe('Bot token');
      expect(seen[0]?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ content: 'x' });
      await expect(rest.get('/channels/9/missing')).rejects.toMatchObject({ status: 404 });
    } finally {
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    }
  });
});

describe('AnswerHeaders', () => {
  it('reads like the Headers the default transport builds from the same answer', () => {
    const raw = { 'x-a': '1', via: ['one', 'two'], 'content-type': 'text/plain' };
    const ours = new AnswerHeaders(raw);
    const fetchHeaders = new Headers(raw as unknown as Record<string, string>);
    for (const name of ['x-a', 'X-A', 'via', 'Content-Type', 'nope']) {
      expect(ours.get(name)).toBe(fetchHeaders.get(name));
      expect(ours.has(name)).toBe(fetchHeaders.has(name));
    }
    expect([...ours]).toEqual([...fetchHeaders]);
  });
});
