import { type AdapterStatus, createMemoryLogger, type MemoryLogger } from '@hermes/adapter-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WecomConfigInput } from './config.js';
import type { WecomCallbackFrame } from './connection.js';
import { fakeConfig } from './test-support.js';
import { startWecomFakeServer, type WecomFakeServer } from './testing/fake-server.js';
import { WecomTransport } from './transport.js';

let fake: WecomFakeServer;
let transport: WecomTransport | undefined;
let logger: MemoryLogger;
let statuses: AdapterStatus[];
let callbacks: WecomCallbackFrame[];

beforeEach(async () => {
  fake = await startWecomFakeServer();
  logger = createMemoryLogger();
  statuses = [];
  callbacks = [];
});
afterEach(async () => {
  await transport?.stop();
  transport = undefined;
  await fake.close();
});

async function start(overrides: Partial<WecomConfigInput> = {}): Promise<WecomTransport> {
  transport = new WecomTransport({
    config: fakeConfig(fake, overrides),
    deviceId: 'stable-device',
    logger,
    onCallback: (frame) => callbacks.push(frame),
    onStatus: (status) => statuses.push(status),
  });
  await transport.start();
  return transport;
}

const markdown = (content: string) => ({ chatid: 'alice', msgtype: 'markdown', markdown: { content } });

describe('WecomTransport', () => {
  it('goes online through the supervisor and reports it', async () => {
    await start();
    expect(statuses).toEqual(['connecting', 'online']);
    expect(fake.subscriptions).toHaveLength(1);
  });

  it('a missing ping ack closes the socket and reconnects, same device_id, a log line per attempt', async () => {
    await start({ heartbeatIntervalMs: 150, heartbeatTimeoutMs: 150 });
    fake.silencePings();
    await fake.waitUntil(
      () => fake.subscriptions.length >= 2,
      5_000,
      'a resubscription after the silent pings',
    );
    fake.silencePings(false);
    expect(logger.find('warn', 'heartbeat ack timeout').length).toBeGreaterThanOrEqual(1);
    expect(logger.find('warn', 'reconnect attempt').length).toBeGreaterThanOrEqual(1);
    expect(new Set(fake.subscriptions.map((s) => s.deviceId))).toEqual(new Set(['stable-device']));
    expect(statuses).toContain('reconnecting');
    await fake.waitUntil(() => statuses.at(-1) === 'online' && transport?.online, 3_000, 'online again');
    await transport!.request('aibot_send_msg', markdown('after the stall'));
  });

  it('reconnects after the server drops the socket, keeping the device_id', async () => {
    await start();
    for (let i = 0; i < 3; i++) {
      fake.dropConnections(i % 2 === 0 ? 'terminate' : 'close');
      await fake.waitForSubscribe(i + 2, 5_000);
    }
    expect(fake.subscriptions.map((s) => s.deviceId)).toEqual(Array(4).fill('stable-device'));
  });

  it('a request made while reconnecting waits for the new connection instead of failing', async () => {
    await start({ reconnectDelaysMs: [300] });
    fake.dropConnections('terminate');
    await fake.waitUntil(() => !transport!.online, 2_000, 'the drop to be noticed');
    const answer = await transport!.request('aibot_send_msg', markdown('queued during the outage'));
    expect(answer.errcode).toBe(0);
    expect(fake.replies.at(-1)).toMatchObject({ content: 'queued during the outage', connection: 2 });
  });

  it('846609: resubscribes on the same socket and sends once more', async () => {
    await start();
    fake.failNext('aibot_send_msg', 846609, 'aibot websocket not subscribed');
    await transport!.request('aibot_send_msg', markdown('after 846609'));
    const cmds = fake.frames.map((f) => f.cmd);
    expect(cmds).toEqual(['aibot_subscribe', 'aibot_send_msg', 'aibot_subscribe', 'aibot_send_msg']);
    expect(new Set(fake.frames.map((f) => f.connection))).toEqual(new Set([1]));
    expect(fake.replies.filter((r) => r.errcode === 0)).toHaveLength(1);
  });

  it('846609 from a server that forgot the subscription is repaired the same way', async () => {
    await start();
    fake.dropSubscription();
    await transport!.request('aibot_send_msg', markdown('server forgot us'));
    expect(fake.isSubscribed).toBe(true);
    expect(fake.replies.filter((r) => r.errcode === 0).map((r) => r.content)).toEqual(['server forgot us']);
  });

  it('846609 twice forces a full reconnect', async () => {
    await start();
    fake.failNext('aibot_send_msg', 846609, 'not subscribed', 2);
    await expect(transport!.request('aibot_send_msg', markdown('x'))).rejects.toMatchObject({
      errcode: 846609,
      retryable: true,
    });
    await fake.waitUntil(
      () => fake.subscriptions.filter((s) => s.connection === 2).length === 1,
      3_000,
      'a new socket',
    );
  });

  it('start() rejects with the auth error when the secret is wrong and stays failed', async () => {
    const error = await start({ secret: 'nope' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'auth_failed', errcode: 40013 });
    expect(statuses.at(-1)).toBe('failed');
    expect(fake.subscriptions).toHaveLength(1);
  });

  it('stop() closes the socket and leaves nothing behind', async () => {
    await start();
    await transport!.stop();
    await fake.waitUntil(() => fake.openSockets === 0, 2_000, 'the socket to close');
    expect(statuses.at(-1)).toBe('offline');
    await expect(transport!.request('ping', undefined)).rejects.toMatchObject({ code: 'not_connected' });
  });

  it('delivers callbacks', async () => {
    await start();
    fake.deliverText('hello', { from: 'bob' });
    await fake.waitUntil(() => callbacks.length === 1);
    expect(callbacks[0]!.body.from.userid).toBe('bob');
  });
});
