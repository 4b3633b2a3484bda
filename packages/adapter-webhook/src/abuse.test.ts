import { createMemoryLogger, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock, post, startReceiver } from '../test/harness.js';
import {
  destroyOpenedSockets,
  openSocket,
  rawRequest,
  readUntilClosed,
  waitUntil,
} from '../test/raw-socket.js';
import { githubSignatureHeaders } from './testing/index.js';

const SECRET = 'route-secret-0123456789';

afterEach(() => destroyOpenedSockets());

describe('unauthenticated junk', () => {
  it('does not use up the route budget: 60 junk posts, then a signed delivery is accepted', async () => {
    const logger = createMemoryLogger();
    const r = await startReceiver(
      { routes: { gh: { secret: SECRET, scheme: 'github' } } },
      { now: manualClock().now, logger },
    );
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const junk = `{"junk":${i}}`;
      statuses.push((await post(r.routeUrl('gh'), junk, { 'x-hub-signature-256': 'sha256=00' })).status);
    }
    // 30 failures per minute per address, then 429 for further failures from that address.
    expect(statuses.filter((s) => s === 401)).toHaveLength(30);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
    // Failures over the budget are not logged one by one.
    expect(logger.find('warn', 'signature rejected')).toHaveLength(30);

    const body = '{"action":"opened"}';
    const signed = await post(
      r.routeUrl('gh'),
      body,
      githubSignatureHeaders(SECRET, body, { event: 'issues' }),
    );
    expect(signed.status).toBe(202);
    expect(r.received).toHaveLength(1);
  });

  it('an address over its failure budget gets 429 with Retry-After, naming the cause', async () => {
    const r = await startReceiver(
      { authFailuresPerMinute: 2, routes: { b: { secret: SECRET, scheme: 'bearer' } } },
      { now: manualClock().now },
    );
    const wrong = { authorization: 'Bearer wrong' };
    expect((await post(r.routeUrl('b'), '{}', wrong)).status).toBe(401);
    expect((await post(r.routeUrl('b'), '{}', wrong)).status).toBe(401);
    const limited = await post(r.routeUrl('b'), '{}', wrong);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(String(limited.json['error'])).toContain('invalid signature');
  });
});

describe('hostile payloads and targets get 400, never 500', () => {
  it('a deeply nested payload is refused with 400 (signed, so it reaches the parser)', async () => {
    const r = await startReceiver({ routes: { gh: { secret: SECRET, scheme: 'github' } } });
    const deep = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const res = await post(r.routeUrl('gh'), deep, githubSignatureHeaders(SECRET, deep));
    expect(res.status).toBe(400);
    expect(String(res.json['error'])).toContain('nested deeper than 64 levels');
    const fine = `{"a":${'['.repeat(60)}${']'.repeat(60)}}`;
    expect((await post(r.routeUrl('gh'), fine, githubSignatureHeaders(SECRET, fine))).status).toBe(202);
    expect(r.received).toHaveLength(1);
  });

  it('GET //[::1 (a target no URL parser reads) is 400', async () => {
    const r = await startReceiver({ routes: { gh: { secret: SECRET } } });
    const raw = 'GET //[::1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';
    expect(await rawRequest(r.url, raw)).toBe(400);
    // The server carries on.
    expect((await post(`${r.url}/health`, '', {}, 'GET')).status).toBe(200);
  });

  it('nothing logs a request body, whatever is refused', async () => {
    const logger = createMemoryLogger();
    const r = await startReceiver({ routes: { gh: { secret: SECRET, scheme: 'github' } } }, { logger });
    // Short enough that V8's own JSON.parse message would quote it whole.
    const marker = 'Zq7xK2pW';
    const notJson = marker;
    await post(r.routeUrl('gh'), notJson, githubSignatureHeaders(SECRET, notJson));
    await post(r.routeUrl('gh'), `{"x":"${marker}"}`, { 'x-hub-signature-256': 'sha256=00' });
    await post(r.routeUrl('nope'), `{"x":"${marker}"}`);
    const deep = `{"${marker}":${'['.repeat(100)}${']'.repeat(100)}}`;
    await post(r.routeUrl('gh'), deep, githubSignatureHeaders(SECRET, deep));
    expect(logger.entries.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(logger.entries)).not.toContain(marker);
  });
});

describe('connections', () => {
  it(`refuses connection ${DEFAULT_MAX_CONNECTIONS_PER_ADDRESS + 1} from one address; slow-loris sockets that never read are dropped and free their slots`, async () => {
    // bodyTimeoutMs 100 gives a headers timeout of 5.1 s, the shortest the server allows.
    const r = await startReceiver({
      bodyTimeoutMs: 100,
      routes: { gh: { secret: SECRET, scheme: 'github' } },
    });
    for (let i = 0; i < DEFAULT_MAX_CONNECTIONS_PER_ADDRESS; i++) {
      const socket = await openSocket(r.url);
      socket.write(`POST /webhooks/gh HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-${i}: 1`);
      socket.pause();
    }
    // The next one is closed at once, without an answer (the held ones may still be being accepted).
    await waitUntil(
      async () => (await readUntilClosed(await openSocket(r.url))) === '',
      'a refused connection',
    );
    // Once their headers time out the slow sockets are destroyed even though they never read.
    const body = '{"after":"slowloris"}';
    const signed = githubSignatureHeaders(SECRET, body);
    await waitUntil(
      async () => (await post(r.routeUrl('gh'), body, signed).catch(() => ({ status: 0 }))).status === 202,
      'a signed delivery to get through',
      10_000,
    );
    expect(r.received).toHaveLength(1);
  });
});
