import { afterEach, describe, expect, it } from 'vitest';
import { startFakeServer } from './fake-server.js';
import { respondJson } from './respond.js';
import type { FakeServer } from './types.js';

let fake: FakeServer;

async function start(): Promise<FakeServer> {
  fake = await startFakeServer();
  fake.route('POST', '/send', (_req, res) => respondJson(res, { ok: true }));
  fake.route('GET', '/other', (_req, res) => respondJson(res, { ok: 'other' }));
  return fake;
}

const post = () => fetch(`${fake.url}/send`, { method: 'POST', body: '{}' });

afterEach(() => fake.close());

describe('fault injection', () => {
  it('drop destroys the socket without a response', async () => {
    await start();
    fake.faults.next({ kind: 'drop' });
    await expect(post()).rejects.toThrow(/fetch failed/);
    expect(fake.requests[0]!.fault).toEqual({ kind: 'drop' });
    expect(fake.requests[0]!.status).toBeUndefined();
    const res = await post();
    expect(res.status).toBe(200);
  });

  it('delay holds the request, then routes it normally', async () => {
    await start();
    fake.faults.next({ kind: 'delay', ms: 150 });
    const res = await post();
    expect(await res.json()).toEqual({ ok: true });
    // Measured from the fake's own record, not a timer race in the test.
    const req = fake.requests[0]!;
    expect(req.fault).toEqual({ kind: 'delay', ms: 150 });
    expect(req.respondedAt! - req.receivedAt).toBeGreaterThanOrEqual(145);
  });

  it('status answers with the given status, body and headers', async () => {
    await start();
    fake.faults.next({
      kind: 'status',
      status: 503,
      body: { error: 'maintenance' },
      headers: { 'x-why': 'test' },
    });
    const res = await post();
    expect(res.status).toBe(503);
    expect(res.headers.get('x-why')).toBe('test');
    expect(await res.json()).toEqual({ error: 'maintenance' });
  });

  it('rate-limit answers 429 with Retry-After and retry_after in the body', async () => {
    await start();
    fake.faults.next({ kind: 'rate-limit', retryAfterSeconds: 3 });
    const res = await post();
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toMatchObject({ retry_after: 3 });
  });

  it('garbage answers 200 with a body that is not JSON', async () => {
    await start();
    fake.faults.next({ kind: 'garbage' });
    const res = await post();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    await expect(res.json()).rejects.toThrow();
  });

  it('applies to the next N matching requests only, and records each application', async () => {
    await start();
    fake.faults.next({ kind: 'status', status: 500 }, 2, { method: 'POST', path: '/send' });
    expect(fake.faults.pending).toBe(2);
    expect((await fetch(`${fake.url}/other`)).status).toBe(200);
    expect((await post()).status).toBe(500);
    expect((await post()).status).toBe(500);
    expect((await post()).status).toBe(200);
    expect(fake.faults.pending).toBe(0);
    expect(fake.faults.applied.map((a) => a.request.path)).toEqual(['/send', '/send']);
  });

  it('accepts a predicate matcher and clear() forgets pending faults', async () => {
    await start();
    fake.faults.next({ kind: 'garbage' }, 5, (r) => r.path === '/other');
    fake.faults.clear();
    expect(fake.faults.pending).toBe(0);
    expect(await (await fetch(`${fake.url}/other`)).json()).toEqual({ ok: 'other' });
  });

  it('refuses a count that is not a positive integer', async () => {
    await start();
    expect(() => fake.faults.next({ kind: 'drop' }, 0)).toThrow(/positive integer/);
  });

  it('close() releases a request held by a delay fault', async () => {
    await start();
    fake.faults.next({ kind: 'delay', ms: 60_000 });
    const held = post().catch((error: unknown) => error);
    await fake.waitForRequest(() => true, 2000);
    await fake.close();
    expect(await held).toBeInstanceOf(Error);
  });
});
