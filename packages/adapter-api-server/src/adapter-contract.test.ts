import { inspect } from 'node:util';
import { judgeLiveness } from '@hermes/adapter-core';
import { createTestContext } from '@hermes/adapter-testkit';
import { describe, expect, it } from 'vitest';
import { KEY, openaiClient, startHost } from '../test/harness.js';
import { ApiServerAdapter } from './index.js';

const dm = (chatId: string) => ({ platform: 'api_server', chatId, chatType: 'dm' as const });
const DAY_MS = 24 * 60 * 60 * 1000;

describe('lifecycle codes', () => {
  it('start() while started rejects with already_started and keeps serving', async () => {
    const host = await startHost();
    const context = createTestContext();
    try {
      await expect(host.adapter.start(context.ctx)).rejects.toMatchObject({ code: 'already_started' });
      const res = await fetch(`${host.url}/health`, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
    } finally {
      await context.cleanup();
    }
  });

  it('send() and edit() before start() and after stop() are not_connected; started, a chat with nothing waiting stays not_found', async () => {
    const fresh = new ApiServerAdapter({ host: '127.0.0.1', port: 0, key: KEY });
    expect(await fresh.send(dm('a'), { text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'not_connected' },
    });
    expect(await fresh.edit(dm('a'), 'chatcmpl-x', 'x')).toMatchObject({
      ok: false,
      error: { code: 'not_connected' },
    });
    const host = await startHost();
    expect(await host.adapter.send(dm('nobody'), { text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    await host.close();
    expect(await host.adapter.send(dm('nobody'), { text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'not_connected' },
    });
  });

  it('exposes neither its config nor the key (inspect, JSON, own keys), before and after start', async () => {
    const host = await startHost();
    for (const adapter of [host.adapter, new ApiServerAdapter({ host: '127.0.0.1', port: 0, key: KEY })]) {
      expect(inspect(adapter, { depth: 5, showHidden: true })).not.toContain(KEY);
      expect(JSON.stringify(adapter)).not.toContain(KEY);
      expect(Object.keys(adapter)).not.toContain('config');
    }
  });
});

describe('liveness', () => {
  it('counts accepted requests as inbound and answered ones as sent, with no heartbeat to miss', async () => {
    const host = await startHost();
    const refused = await fetch(`${host.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong-one', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'hermes-agent', messages: [{ role: 'user', content: 'x' }] }),
      signal: AbortSignal.timeout(5000),
    });
    expect(refused.status).toBe(401);
    const idle = host.adapter.liveness();
    expect(idle.lastInboundAt).toBeUndefined();
    expect(idle.lastSendAt).toBeUndefined();
    expect(idle.heartbeatIntervalMs).toBeUndefined();

    const completion = await openaiClient(host).chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'ping' }],
    });
    expect(completion.choices[0]?.message.content).toBe('echo: ping');
    const after = host.adapter.liveness();
    expect(after.lastInboundAt).toBeTypeOf('number');
    expect(after.lastSendAt).toBeTypeOf('number');
    expect(after.lastSendAt).toBeGreaterThanOrEqual(after.lastInboundAt ?? Number.POSITIVE_INFINITY);
    // A server nobody calls for a day is idle, not stalled.
    expect(judgeLiveness(after, Date.now() + DAY_MS)).toEqual({ stalled: false });
  });
});
