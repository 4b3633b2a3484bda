import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { createMemoryLogger, type MemoryLogger } from '@hermes/adapter-core';
import { createTestContext } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createWecomAdapter, WecomAdapter } from './adapter.js';
import { wecomDescriptor } from './descriptor.js';
import { createWecomContext } from './standalone.js';
import { fakeConfig, type Rig, startRig } from './test-support.js';
import { startWecomFakeServer, type WecomFakeServer } from './testing/fake-server.js';

let rig: Rig | undefined;
let fake: WecomFakeServer | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  await fake?.close();
  fake = undefined;
});

describe('WecomAdapter lifecycle', () => {
  it('probe() does one subscribe handshake and closes', async () => {
    fake = await startWecomFakeServer();
    const adapter = new WecomAdapter(fakeConfig(fake));
    expect(await adapter.probe()).toMatchObject({ ok: true, identity: fake.botId });
    expect(fake.subscriptions).toHaveLength(1);
    await fake.waitUntil(() => fake!.openSockets === 0, 2_000, 'the probe socket to close');
  });

  it('probe() names a bad secret and the fix; an unreachable URL is a network error', async () => {
    fake = await startWecomFakeServer();
    const bad = await new WecomAdapter(fakeConfig(fake, { secret: 'wrong' })).probe();
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'auth_failed', errcode: 40013 },
      fix: expect.stringContaining('WECOM_SECRET'),
    });
    const down = await new WecomAdapter(fakeConfig(fake, { websocketUrl: 'ws://127.0.0.1:1' })).probe();
    expect(down).toMatchObject({ ok: false, error: { code: 'network' } });
  });

  it('start() with a bad secret rejects with errcode 40013, reports failed and leaves no socket', async () => {
    fake = await startWecomFakeServer();
    const context = createTestContext();
    const adapter = new WecomAdapter(fakeConfig(fake, { secret: 'wrong' }));
    await expect(adapter.start(context.ctx)).rejects.toMatchObject({
      code: 'auth_failed',
      message: expect.stringMatching(/40013.*invalid secret/),
    });
    expect(context.statuses.at(-1)).toBe('failed');
    await fake.waitUntil(() => fake!.openSockets === 0, 2_000, 'the socket to close');
    expect(JSON.stringify(context.logger.entries)).not.toContain('wrong');
    await context.cleanup();
  });

  it('a callback pushed while stop() closes the socket still reaches the host (WeCom never pushes it again)', async () => {
    rig = await startRig();
    const stopping = rig.adapter.stop();
    const { msgid } = rig.fake.deliver({ text: 'sent while the bot was stopping', from: 'alice' });
    await stopping;
    expect(rig.context.received.map((m) => m.text)).toEqual(['sent while the bot was stopping']);
    expect(rig.context.received[0]?.id).toBe(msgid);
  });

  it('keeps one device_id for the adapter instance across reconnects', async () => {
    rig = await startRig();
    rig.fake.dropConnections('terminate');
    await rig.fake.waitForSubscribe(2);
    rig.fake.dropConnections('close');
    await rig.fake.waitForSubscribe(3);
    expect(rig.fake.subscriptions.map((s) => s.deviceId)).toEqual(Array(3).fill(rig.adapter.deviceId));
    expect(rig.adapter.deviceId).toMatch(/^[0-9a-f]{32}$/);
    expect(new WecomAdapter(fakeConfig(rig.fake)).deviceId).not.toBe(rig.adapter.deviceId);
  });

  it('stop() closes the socket, hands over a pending batch and refuses sends afterwards', async () => {
    rig = await startRig({ textBatchDelayMs: 5_000 });
    rig.fake.deliverText('waiting in a batch', { from: 'alice' });
    await rig.fake.waitUntil(() => rig!.adapter.stats().replyTokens.pending === 1, 2_000, 'the callback');
    await rig.adapter.stop();
    expect(rig.context.received.map((m) => m.text)).toEqual(['waiting in a batch']);
    await rig.fake.waitUntil(() => rig!.fake.openSockets === 0, 2_000, 'the socket to close');
    expect(
      await rig.adapter.send({ platform: 'wecom', chatId: 'alice', chatType: 'dm' }, { text: 'x' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_connected' },
    });
  });

  it('start() while started rejects with already_started and keeps the running socket', async () => {
    rig = await startRig();
    await expect(rig.adapter.start(rig.context.ctx)).rejects.toMatchObject({ code: 'already_started' });
    expect(rig.fake.subscriptions).toHaveLength(1);
    expect(rig.fake.openSockets).toBe(1);
    expect(
      (await rig.adapter.send({ platform: 'wecom', chatId: 'alice', chatType: 'dm' }, { text: 'x' })).ok,
    ).toBe(true);
  });

  it('send() before start() is not_connected and writes nothing', async () => {
    fake = await startWecomFakeServer();
    const adapter = new WecomAdapter(fakeConfig(fake));
    const result = await adapter.send({ platform: 'wecom', chatId: 'alice', chatType: 'dm' }, { text: 'x' });
    expect(result).toMatchObject({ ok: false, error: { code: 'not_connected' } });
    expect(fake.replies).toHaveLength(0);
  });

  it('exposes neither its config nor the secret (inspect, JSON, own keys), before and after start', async () => {
    rig = await startRig();
    const secret = rig.fake.secret;
    for (const adapter of [rig.adapter, new WecomAdapter(fakeConfig(rig.fake))]) {
      expect(inspect(adapter, { depth: 5, showHidden: true })).not.toContain(secret);
      expect(JSON.stringify(adapter)).not.toContain(secret);
      expect(Object.keys(adapter)).not.toContain('config');
    }
  });

  it('never logs the secret', async () => {
    rig = await startRig({ heartbeatIntervalMs: 100 });
    rig.fake.silencePings();
    await rig.fake.waitForSubscribe(2, 5_000);
    expect(JSON.stringify(rig.context.logger.entries)).not.toContain(rig.fake.secret);
  });
});

describe('standalone use', () => {
  it('createWecomContext runs a bot without the gateway: receive, reply, close', async () => {
    fake = await startWecomFakeServer();
    const media = await mkdtemp(join(tmpdir(), 'wecom-standalone-'));
    const adapter = createWecomAdapter(fakeConfig(fake));
    const statuses: string[] = [];
    const context = createWecomContext({
      mediaDir: media,
      logger: createMemoryLogger(),
      onMessage: async (msg) => {
        if (msg.text === 'boom') throw new Error('handler failed');
        await adapter.send(msg.chat, { text: `you said ${msg.text}`, replyTo: msg.id });
      },
      onStatus: (status) => statuses.push(status),
    });
    try {
      await adapter.start(context.ctx);
      fake.deliverText('boom', { from: 'alice' });
      fake.deliverText('hi', { from: 'bob' });
      await fake.waitForReply((r) => r.content === 'you said hi');
      expect((context.ctx.logger as MemoryLogger).find('error', 'onMessage failed')).toHaveLength(1);
      expect(context.ctx.mediaCache.dir).toBe(media);
    } finally {
      await adapter.stop();
      context.close();
      await rm(media, { recursive: true, force: true });
    }
    expect(statuses).toContain('online');
  });
});

describe('wecomDescriptor', () => {
  it('is enabled by WECOM_BOT_ID + WECOM_SECRET and names the env vars the gateway needs', () => {
    expect(wecomDescriptor).toMatchObject({
      platform: 'wecom',
      kind: 'chat',
      requiredEnv: ['WECOM_BOT_ID', 'WECOM_SECRET'],
      secretEnv: ['WECOM_SECRET'],
      allowedUsersEnv: 'WECOM_ALLOWED_USERS',
      allowAllUsersEnv: 'WECOM_ALLOW_ALL_USERS',
      homeChannelEnv: 'WECOM_HOME_CHANNEL',
    });
    expect(wecomDescriptor.setupHelp).toContain('long connection');
    const config = wecomDescriptor.configFromEnv(
      { WECOM_BOT_ID: 'b', WECOM_SECRET: 's', WECOM_HOME_CHANNEL: 'wrG' },
      {},
    );
    expect(config.homeChannel).toBe('wrG');
    expect(wecomDescriptor.configSchema.safeParse(config).success).toBe(true);
    expect(wecomDescriptor.createAdapter(config)).toBeInstanceOf(WecomAdapter);
  });
});
