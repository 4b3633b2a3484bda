import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWecomFakeServer, type WecomFakeServer } from './fake-server.js';

type Frame = {
  cmd?: string;
  headers: { req_id: string };
  errcode?: number;
  errmsg?: string;
  body?: Record<string, unknown>;
};

/** A bare protocol client, as another bot's tests would use the fake. */
class RawClient {
  readonly frames: Frame[] = [];
  readonly #socket: WebSocket;
  #n = 0;
  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data) => this.frames.push(JSON.parse(data.toString()) as Frame));
  }
  static async connect(url: string): Promise<RawClient> {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return new RawClient(socket);
  }
  async call(cmd: string, body?: unknown, reqId = `${cmd}-${++this.#n}`): Promise<Frame> {
    this.#socket.send(
      JSON.stringify({ cmd, headers: { req_id: reqId }, ...(body === undefined ? {} : { body }) }),
    );
    return this.next((f) => f.headers.req_id === reqId && f.cmd !== 'aibot_msg_callback');
  }
  next(match: (f: Frame) => boolean, timeoutMs = 2_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const poll = setInterval(() => {
        const found = this.frames.find(match);
        if (found || Date.now() > deadline) {
          clearInterval(poll);
          if (found) resolve(found);
          else reject(new Error('no matching frame'));
        }
      }, 5);
    });
  }
  sendRaw(text: string): void {
    this.#socket.send(text);
  }
  close(): void {
    this.#socket.terminate();
  }
}

let fake: WecomFakeServer;
const clients: RawClient[] = [];
beforeEach(async () => {
  fake = await startWecomFakeServer({ botId: 'bot-1', secret: 'secret-1' });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await fake.close();
});

async function subscribed(deviceId = 'd1'): Promise<RawClient> {
  const client = await RawClient.connect(fake.url);
  clients.push(client);
  const ack = await client.call('aibot_subscribe', {
    bot_id: 'bot-1',
    secret: 'secret-1',
    device_id: deviceId,
  });
  expect(ack).toMatchObject({ errcode: 0, errmsg: 'ok' });
  expect(ack.cmd).toBeUndefined();
  return client;
}

describe('the fake WeCom AI-bot gateway', () => {
  it('checks subscribe credentials: 40013 on a bad secret; nothing works before subscribing (846609)', async () => {
    const client = await RawClient.connect(fake.url);
    clients.push(client);
    expect(
      await client.call('aibot_send_msg', { chatid: 'a', msgtype: 'markdown', markdown: { content: 'x' } }),
    ).toMatchObject({
      errcode: 846609,
    });
    expect(await client.call('aibot_subscribe', { bot_id: 'bot-1', secret: 'nope' })).toMatchObject({
      errcode: 40013,
      errmsg: 'invalid secret',
    });
    expect(fake.isSubscribed).toBe(false);
  });

  it('acks pings with a pong echoing the req_id, until told to go silent', async () => {
    const client = await subscribed();
    expect(await client.call('ping', undefined, 'ping-a')).toMatchObject({
      cmd: 'pong',
      errcode: 0,
      headers: { req_id: 'ping-a' },
    });
    fake.silencePings();
    await expect(client.call('ping', undefined, 'ping-silent')).rejects.toThrow('no matching frame');
  });

  it('delivers callbacks queued before the subscription, right after the ack', async () => {
    const { msgid } = fake.deliverText('early bird', { from: 'alice' });
    const client = await subscribed();
    const callback = await client.next((f) => f.cmd === 'aibot_msg_callback');
    expect(callback.body).toMatchObject({
      msgid,
      chattype: 'single',
      from: { userid: 'alice' },
      msgtype: 'text',
      text: { content: 'early bird' },
    });
  });

  it('records passive and proactive messages; refuses unknown req_ids, group proactive posts and long content', async () => {
    const client = await subscribed();
    const { reqId } = fake.deliverText('q', { from: 'alice' });
    await client.next((f) => f.cmd === 'aibot_msg_callback');
    const markdown = (content: string) => ({ msgtype: 'markdown', markdown: { content } });
    expect(await client.call('aibot_respond_msg', markdown('a'), reqId)).toMatchObject({ errcode: 0 });
    expect(await client.call('aibot_respond_msg', markdown('b'), 'made-up')).toMatchObject({
      errcode: 846605,
    });
    fake.deliverText('@bot hi', { from: 'bob', chatId: 'wrG' });
    expect(await client.call('aibot_send_msg', { chatid: 'wrG', ...markdown('c') })).toMatchObject({
      errcode: 600039,
    });
    expect(
      await client.call('aibot_send_msg', { chatid: 'alice', ...markdown('x'.repeat(4001)) }),
    ).toMatchObject({ errcode: 40058 });
    expect(await client.call('aibot_send_msg', { chatid: 'alice', msgtype: 'stream_v9' })).toMatchObject({
      errcode: 600039,
    });
    expect(fake.replies.map((r) => [r.via, r.chatId, r.errcode])).toEqual([
      ['respond', 'alice', 0],
      ['respond', '', 846605],
      ['send', 'wrG', 600039],
      ['send', 'alice', 40058],
      ['send', 'alice', 600039],
    ]);
  });

  it('runs the chunked upload with WeCom limits and checks the md5', async () => {
    const client = await subscribed();
    const data = Buffer.alloc(600_000, 7);
    const md5 = createHash('md5').update(data).digest('hex');
    const init = (o: Record<string, unknown>) =>
      client.call('aibot_upload_media_init', {
        type: 'file',
        filename: 'a.bin',
        total_size: data.length,
        total_chunks: 2,
        md5,
        ...o,
      });
    expect(await init({ total_chunks: 101, total_size: 101 })).toMatchObject({
      errcode: 40058,
      errmsg: expect.stringContaining('100'),
    });
    expect(await init({ total_chunks: 1 })).toMatchObject({ errmsg: expect.stringContaining('512 KB') });
    expect(await init({ type: 'image', total_size: 11 * 1024 * 1024, total_chunks: 22 })).toMatchObject({
      errcode: 40006,
    });
    const ok = await init({});
    const uploadId = ok.body?.['upload_id'];
    const chunk = (i: number, bytes: Buffer) =>
      client.call('aibot_upload_media_chunk', {
        upload_id: uploadId,
        chunk_index: i,
        base64_data: bytes.toString('base64'),
      });
    expect(await chunk(2, data.subarray(0, 10))).toMatchObject({
      errmsg: expect.stringContaining('outside 0..1'),
    });
    expect(await chunk(0, Buffer.alloc(524_289))).toMatchObject({
      errmsg: expect.stringContaining('512 KB'),
    });
    await chunk(1, data.subarray(524_288));
    expect(await client.call('aibot_upload_media_finish', { upload_id: uploadId })).toMatchObject({
      errmsg: 'chunk 0 missing',
    });
    await chunk(0, data.subarray(0, 524_288));
    const finish = await client.call('aibot_upload_media_finish', { upload_id: uploadId });
    expect(finish).toMatchObject({ errcode: 0, body: { media_id: expect.any(String), type: 'file' } });
    expect(fake.mediaById(String(finish.body?.['media_id']))?.data.equals(data)).toBe(true);
    expect(fake.uploads.get(String(uploadId))?.arrival).toEqual([1, 0]);
  });

  it('injects errcodes, records garbage, and replaces an older session with a disconnected_event', async () => {
    const first = await subscribed('device-a');
    fake.failNext(['aibot_respond_msg', 'aibot_send_msg'], 45009, 'api freq out of limit');
    expect(
      await first.call('aibot_send_msg', { chatid: 'a', msgtype: 'markdown', markdown: { content: 'x' } }),
    ).toMatchObject({ errcode: 45009 });
    expect(fake.injected).toEqual([expect.objectContaining({ cmd: 'aibot_send_msg', errcode: 45009 })]);
    first.sendRaw('{{{ not json');
    await fake.waitUntil(() => fake.garbage.length === 1);
    expect(await first.call('aibot_teleport')).toMatchObject({
      errcode: 40058,
      errmsg: 'unknown cmd aibot_teleport',
    });
    await subscribed('device-a');
    await first.next(
      (f) => f.cmd === 'aibot_event_callback' && f.body?.['eventtype'] === 'disconnected_event',
    );
    expect(fake.subscriptions.map((s) => s.deviceId)).toEqual(['device-a', 'device-a']);
  });

  it('serves hosted media over HTTP, encrypted when given an aeskey', async () => {
    const url = fake.hostMedia(Buffer.from('plain bytes'), { filename: 'n.txt', contentType: 'text/plain' });
    const res = await fetch(url);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="n.txt"');
    expect(await res.text()).toBe('plain bytes');
    expect((await fetch(`${fake.httpUrl}/media/ffff`)).status).toBe(404);
  });
});
