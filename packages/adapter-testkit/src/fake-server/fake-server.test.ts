import { afterEach, describe, expect, it } from 'vitest';
import { startFakeServer } from './fake-server.js';
import { respondJson } from './respond.js';
import type { FakeServer } from './types.js';

let fake: FakeServer | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('fake server: HTTP', () => {
  it('listens on 127.0.0.1 with an ephemeral port', async () => {
    fake = await startFakeServer();
    expect(fake.port).toBeGreaterThan(0);
    expect(fake.url).toBe(`http://127.0.0.1:${fake.port}`);
    expect(fake.wsUrl).toBe(`ws://127.0.0.1:${fake.port}`);
  });

  it('records method, path, query, headers and body of every request', async () => {
    fake = await startFakeServer();
    fake.route('POST', '/bot/send', (_req, res) => respondJson(res, { ok: true }));
    const res = await fetch(`${fake.url}/bot/send?chat=42&x=y`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t0k' },
      body: JSON.stringify({ text: 'hi' }),
    });
    expect(await res.json()).toEqual({ ok: true });
    const [req] = fake.requests;
    expect(req).toBeDefined();
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/bot/send');
    expect(req!.query.get('chat')).toBe('42');
    expect(req!.headers.authorization).toBe('Bearer t0k');
    expect(req!.json()).toEqual({ text: 'hi' });
    expect(req!.text()).toBe('{"text":"hi"}');
    expect(req!.status).toBe(200);
    expect(typeof req!.receivedAt).toBe('number');
  });

  it('says which request was not JSON when json() fails', async () => {
    fake = await startFakeServer();
    await fetch(`${fake.url}/upload`, { method: 'PUT', body: 'plain words' });
    expect(() => fake!.requests[0]!.json()).toThrow(/PUT \/upload: body is not JSON .*"plain words"/);
  });

  it('answers unknown routes with 404 and a JSON body', async () => {
    fake = await startFakeServer();
    const res = await fetch(`${fake.url}/nowhere`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: 'not_found',
      message: expect.stringContaining('GET /nowhere'),
    });
  });

  it('matches RegExp routes and lets a later route override an earlier one', async () => {
    fake = await startFakeServer();
    fake.route('GET', /^\/items\/\d+$/, (_req, res) => respondJson(res, { from: 'first' }));
    fake.route('*', /^\/items\/\d+$/, (req, res) => respondJson(res, { from: 'second', path: req.path }));
    const res = await fetch(`${fake.url}/items/17`);
    expect(await res.json()).toEqual({ from: 'second', path: '/items/17' });
  });

  it('turns a throwing route into a 500 that names the error', async () => {
    fake = await startFakeServer();
    fake.route('GET', '/boom', () => {
      throw new Error('handler exploded');
    });
    const res = await fetch(`${fake.url}/boom`);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ message: 'handler exploded' });
  });

  it('waitForRequest resolves for past and future requests', async () => {
    fake = await startFakeServer();
    await fetch(`${fake.url}/early`);
    await expect(fake.waitForRequest((r) => r.path === '/early', 100)).resolves.toMatchObject({
      path: '/early',
    });
    const later = fake.waitForRequest((r) => r.path === '/late', 2000);
    await fetch(`${fake.url}/late`);
    await expect(later).resolves.toMatchObject({ path: '/late' });
  });

  it('waitForRequest times out listing what the fake did see', async () => {
    fake = await startFakeServer();
    await fetch(`${fake.url}/a`);
    await expect(fake.waitForRequest((r) => r.path === '/never', 50)).rejects.toThrow(
      'waitForRequest timed out after 50 ms; the fake saw 1 request(s): GET /a -> 404',
    );
  });

  it('close() rejects pending waits instead of leaving them hanging', async () => {
    fake = await startFakeServer();
    const pending = fake.waitForRequest(() => false, 10_000);
    await fake.close();
    await expect(pending).rejects.toThrow('fake server closed while waiting for a request');
  });
});
