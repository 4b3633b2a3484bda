import { createMemoryLogger } from '@hermes/adapter-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WecomConnection, type WecomConnectionOptions } from './connection.js';
import { startWecomFakeServer, type WecomFakeServer } from './testing/fake-server.js';

let fake: WecomFakeServer;
const open: WecomConnection[] = [];

beforeEach(async () => {
  fake = await startWecomFakeServer();
});
afterEach(async () => {
  for (const c of open.splice(0)) c.close('test done');
  await fake.close();
});

function options(overrides: Partial<WecomConnectionOptions> = {}): WecomConnectionOptions {
  return {
    url: fake.url,
    botId: fake.botId,
    secret: fake.secret,
    deviceId: 'device-1',
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 1_000,
    logger: createMemoryLogger(),
    ...overrides,
  };
}

async function connect(overrides: Partial<WecomConnectionOptions> = {}): Promise<WecomConnection> {
  const connection = await WecomConnection.open(options(overrides));
  open.push(connection);
  return connection;
}

describe('WecomConnection', () => {
  it('subscribes with bot_id, secret and device_id and waits for the ack', async () => {
    const connection = await connect();
    expect(connection.isOpen).toBe(true);
    expect(fake.subscriptions).toEqual([
      expect.objectContaining({ botId: fake.botId, deviceId: 'device-1', errcode: 0 }),
    ]);
    const frame = fake.frames[0]!;
    expect(frame.cmd).toBe('aibot_subscribe');
    expect(frame.reqId).toMatch(/^subscribe-[0-9a-f]{32}$/);
    expect(frame.body).toEqual({ bot_id: fake.botId, secret: fake.secret, device_id: 'device-1' });
  });

  it('a bad secret is a clear, fatal start error naming errcode 40013', async () => {
    const error = await WecomConnection.open(options({ secret: 'wrong' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'auth_failed', errcode: 40013, retryable: false });
    expect(String((error as Error).message)).toMatch(/40013.*invalid secret/);
    await fake.waitUntil(() => fake.openSockets === 0, 3_000, 'the refused socket to close');
  });

  it('times out waiting for the subscribe ack, and reports a socket closed during authentication', async () => {
    fake.swallowNext('aibot_subscribe');
    await expect(WecomConnection.open(options({ connectTimeoutMs: 300 }))).rejects.toThrow(
      /Timed out waiting for WeCom subscribe acknowledgement/,
    );
    fake.swallowNext('aibot_subscribe');
    const pending = WecomConnection.open(options());
    await fake.waitForFrame((f) => f.cmd === 'aibot_subscribe' && f.connection === 2);
    fake.dropConnections('terminate');
    await expect(pending).rejects.toThrow(/closed during authentication/);
  });

  it('refuses a URL that does not answer, with a network error', async () => {
    const port = fake.port;
    await fake.close();
    await expect(WecomConnection.open(options({ url: `ws://127.0.0.1:${port}` }))).rejects.toMatchObject({
      code: 'network',
    });
    fake = await startWecomFakeServer();
  });

  it('correlates concurrent requests by req_id', async () => {
    const connection = await connect();
    fake.deliverText('hi', { from: 'alice' });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        connection.request('aibot_send_msg', {
          chatid: 'alice',
          msgtype: 'markdown',
          markdown: { content: `n${i}` },
        }),
      ),
    );
    const sent = fake.frames.filter((f) => f.cmd === 'aibot_send_msg');
    expect(results.map((r) => r.reqId)).toEqual(sent.map((f) => f.reqId));
    expect(new Set(results.map((r) => r.reqId)).size).toBe(50);
  });

  it('an unanswered request is an ambiguous timeout, never a retryable error', async () => {
    const connection = await connect();
    fake.swallowNext('aibot_send_msg');
    const error = await connection
      .request(
        'aibot_send_msg',
        { chatid: 'alice', msgtype: 'markdown', markdown: { content: 'x' } },
        { timeoutMs: 200 },
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'timeout_ambiguous', retryable: false });
    expect(String((error as Error).message)).toMatch(/Timeout sending message to WeCom/);
    expect(fake.replies).toHaveLength(1);
  });

  it('fails every pending request when the socket drops, and refuses to write on a closed one', async () => {
    const connection = await connect();
    fake.swallowNext('aibot_send_msg', 3);
    const pending = Array.from({ length: 3 }, () =>
      connection
        .request('aibot_send_msg', { chatid: 'a', msgtype: 'markdown', markdown: { content: 'x' } })
        .catch((e: unknown) => e),
    );
    await fake.waitUntil(() => fake.frames.filter((f) => f.cmd === 'aibot_send_msg').length === 3);
    fake.dropConnections('terminate');
    const errors = await Promise.all(pending);
    for (const error of errors)
      expect(error).toMatchObject({
        code: 'timeout_ambiguous',
        message: expect.stringMatching(/interrupted/),
      });
    const drop = await connection.closed;
    expect(drop.reason).toMatch(/closed by WeCom/);
    await expect(connection.request('ping', undefined)).rejects.toMatchObject({
      code: 'not_connected',
      retryable: true,
    });
  });

  it('answers pings, logs malformed and unknown frames and keeps going', async () => {
    const logger = createMemoryLogger();
    const callbacks: string[] = [];
    const connection = await connect({ logger, onCallback: (f) => callbacks.push(f.body.msgid) });
    fake.deliverRaw('this is not json');
    fake.deliverRaw(
      JSON.stringify({ cmd: 'aibot_msg_callback', headers: { req_id: 'r' }, body: { msgid: 'x' } }),
    );
    fake.deliverRaw(JSON.stringify({ cmd: 'aibot_brand_new', headers: { req_id: 'r2' } }));
    fake.deliverRaw(Buffer.from([1, 2, 3]).toString('latin1'));
    fake.deliverText('still here', { msgid: 'ok-1' });
    await connection.ping(1_000);
    await fake.waitUntil(() => callbacks.length === 1);
    expect(callbacks).toEqual(['ok-1']);
    expect(logger.find('warn', 'not JSON')).toHaveLength(2);
    expect(logger.find('warn', 'from.userid')).toHaveLength(1);
    expect(logger.find('warn', 'unknown cmd')).toHaveLength(1);
    expect(JSON.stringify(logger.entries)).not.toContain(fake.secret);
  });
});
