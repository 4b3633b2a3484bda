import { inspect } from 'node:util';
import { judgeLiveness } from '@hermes/adapter-core';
import { createTestContext } from '@hermes/adapter-testkit';
import { describe, expect, it } from 'vitest';
import { post, startReceiver } from '../test/harness.js';
import { WebhookAdapter } from './index.js';
import { githubSignatureHeaders } from './testing/index.js';

const GLOBAL_SECRET = 'global-secret-5f1c0d9a7e';
const ROUTE_SECRET = 'route-secret-9b2e4c6a81';
const chat = { platform: 'webhook', chatId: 'gh', chatType: 'channel' as const };
const DAY_MS = 24 * 60 * 60 * 1000;
const config = () => ({
  host: '127.0.0.1',
  port: 0,
  secret: GLOBAL_SECRET,
  routes: { gh: { secret: ROUTE_SECRET, scheme: 'github' as const, prompt: 'event {action}' } },
});

describe('lifecycle codes', () => {
  it('start() while started rejects with already_started and keeps serving', async () => {
    const r = await startReceiver(config());
    const context = createTestContext();
    try {
      await expect(r.adapter.start(context.ctx)).rejects.toMatchObject({ code: 'already_started' });
      const res = await fetch(`${r.adapter.address!.url}/health`, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
    } finally {
      await context.cleanup();
    }
  });

  it('send() before start() and after stop() is not_connected; started, it writes to the log', async () => {
    const fresh = new WebhookAdapter(config());
    expect(await fresh.send(chat, { text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'not_connected' },
    });
    const r = await startReceiver(config());
    expect(await r.adapter.send(chat, { text: 'x' })).toMatchObject({ ok: true });
    await r.adapter.stop();
    expect(await r.adapter.send(chat, { text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'not_connected' },
    });
  });

  it('exposes neither its config nor any secret (inspect, JSON, own keys), before and after start', async () => {
    const r = await startReceiver(config());
    for (const adapter of [r.adapter, new WebhookAdapter(config())]) {
      const shown = inspect(adapter, { depth: 5, showHidden: true });
      expect(shown).not.toContain(GLOBAL_SECRET);
      expect(shown).not.toContain(ROUTE_SECRET);
      const json = JSON.stringify(adapter);
      expect(json).not.toContain(GLOBAL_SECRET);
      expect(json).not.toContain(ROUTE_SECRET);
      expect(Object.keys(adapter)).not.toContain('config');
    }
  });
});

describe('liveness', () => {
  it('counts accepted events as inbound and written answers as sent, with no heartbeat to miss', async () => {
    const r = await startReceiver(config());
    const body = JSON.stringify({ action: 'opened' });
    const forged = await post(r.routeUrl('gh'), body, githubSignatureHeaders('wrong-secret', body));
    expect(forged.status).toBe(401);
    const idle = r.adapter.liveness();
    expect(idle.lastInboundAt).toBeUndefined();
    expect(idle.heartbeatIntervalMs).toBeUndefined();

    const res = await post(
      r.routeUrl('gh'),
      body,
      githubSignatureHeaders(ROUTE_SECRET, body, { delivery: 'd1' }),
    );
    expect(res.status).toBe(202);
    expect(r.received).toHaveLength(1);
    expect(r.adapter.liveness().lastInboundAt).toBeTypeOf('number');
    expect(r.adapter.liveness().lastSendAt).toBeUndefined();

    expect(await r.adapter.send(r.received[0]!.chat, { text: 'answer' })).toMatchObject({ ok: true });
    const after = r.adapter.liveness();
    expect(after.lastSendAt).toBeTypeOf('number');
    // A webhook nobody calls for a day is idle, not stalled.
    expect(judgeLiveness(after, Date.now() + DAY_MS)).toEqual({ stalled: false });
  });
});
