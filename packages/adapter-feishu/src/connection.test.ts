import { isAdapterError } from '@hermes/adapter-core';
import { createTestContext } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { FeishuAdapter } from './adapter.js';
import { fakeConfig, type Rig, removeStateDirs, startRig } from './test-support.js';
import { type FakeFeishuServer, startFakeFeishuServer } from './testing/index.js';

let rig: Rig | undefined;
let fake: FakeFeishuServer | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  await fake?.close();
  fake = undefined;
  await removeStateDirs();
});

describe('feishu connection', () => {
  it('a wrong app secret fails start() at once with auth_failed and a fix naming the variable', async () => {
    fake = await startFakeFeishuServer();
    const context = createTestContext();
    const adapter = new FeishuAdapter(fakeConfig(fake, { appSecret: 'wrong-secret' }));
    const error = await adapter.start(context.ctx).catch((e: unknown) => e);
    await context.cleanup();
    expect(isAdapterError(error) && error.code).toBe('auth_failed');
    expect(isAdapterError(error) && error.fix).toMatch(/FEISHU_APP_SECRET/);
    expect(fake.connections).toBe(0);
    expect(JSON.stringify(context.logger.entries)).not.toContain('wrong-secret');
  });

  it('with FEISHU_BOT_OPEN_ID set (no bot/v3/info call), a refused long connection is still fatal', async () => {
    fake = await startFakeFeishuServer();
    const context = createTestContext();
    const adapter = new FeishuAdapter(fakeConfig(fake, { appSecret: 'wrong-secret', botOpenId: 'ou_bot' }));
    const error = await adapter.start(context.ctx).catch((e: unknown) => e);
    await context.cleanup();
    expect(isAdapterError(error) && error.code).toBe('auth_failed');
    expect(fake.connections).toBe(0);
    expect(fake.server.requests.filter((r) => r.path === '/callback/ws/endpoint')).toHaveLength(1);
  });

  it('probe() checks the credentials without connecting', async () => {
    fake = await startFakeFeishuServer({ botName: 'ProbeBot' });
    const good = await new FeishuAdapter(fakeConfig(fake)).probe();
    expect(good).toMatchObject({ ok: true, identity: 'ProbeBot' });
    const bad = await new FeishuAdapter(fakeConfig(fake, { appSecret: 'nope' })).probe();
    expect(bad).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
    expect(fake.connections).toBe(0);
  });

  it('the long-connection endpoint answering 5xx at first is retried with a log line per attempt', async () => {
    fake = await startFakeFeishuServer();
    fake.server.faults.next({ kind: 'status', status: 503, body: { code: 1, msg: 'system busy' } }, 2, {
      method: 'POST',
      path: '/callback/ws/endpoint',
    });
    const context = createTestContext();
    const adapter = new FeishuAdapter(fakeConfig(fake));
    try {
      await adapter.start(context.ctx);
      expect(context.statuses.at(-1)).toBe('online');
      const attempts = context.logger.entries.filter((e) => /reconnect attempt/.test(e.msg));
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      await fake.deliverDm('after the outage');
      await context.waitForReceived((m) => m.text === 'after the outage', 5_000);
    } finally {
      await adapter.stop();
      await context.cleanup();
    }
  });

  it('the bot identity comes from bot/v3/info and drops the bot’s own echoes', async () => {
    rig = await startRig();
    rig.fake.deliverMessage('text', { text: 'my own words' }, { fromUserId: rig.fake.botOpenId });
    await rig.fake.deliverDm('a person');
    await rig.context.waitForReceived((m) => m.text === 'a person', 5_000);
    expect(rig.context.received.map((m) => m.text)).toEqual(['a person']);
  });

  it('liveness() reports inbound and send times', async () => {
    rig = await startRig();
    const before = rig.adapter.liveness();
    expect(before.heartbeatIntervalMs).toBeGreaterThan(0);
    await rig.fake.deliverDm('tick');
    const msg = await rig.context.waitForReceived((m) => m.text === 'tick', 5_000);
    await rig.adapter.send(msg.chat, { text: 'tock' });
    const after = rig.adapter.liveness();
    expect(after.lastInboundAt).toBeGreaterThan(0);
    expect(after.lastSendAt).toBeGreaterThan(0);
  });
});
