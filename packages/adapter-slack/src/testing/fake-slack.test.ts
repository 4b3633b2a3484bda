import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type SlackFakeServer, startSlackFakeServer } from './fake-slack.js';

let fake: SlackFakeServer | undefined;
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await fake?.close();
  fake = undefined;
});

async function api(
  f: SlackFakeServer,
  method: string,
  token: string,
  body: Record<string, unknown>,
  json = false,
) {
  const res = await fetch(`${f.apiUrl}${method}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded',
    },
    body: json ? JSON.stringify(body) : new URLSearchParams(body as Record<string, string>).toString(),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** A bare Socket Mode client: the frames it got, and a way to ack. */
async function connect(
  f: SlackFakeServer,
): Promise<{ ws: WebSocket; frames: Array<Record<string, unknown>> }> {
  const open = await api(f, 'apps.connections.open', f.appToken, {});
  const ws = new WebSocket(String(open.body['url']));
  sockets.push(ws);
  const frames: Array<Record<string, unknown>> = [];
  ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  await until(() => frames.some((x) => x['type'] === 'hello'));
  return { ws, frames };
}

async function until(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the fake Slack', () => {
  it('checks token types per method, like Slack', async () => {
    fake = await startSlackFakeServer();
    expect((await api(fake, 'auth.test', fake.botToken, {})).body).toMatchObject({
      ok: true,
      user_id: fake.identity.botUserId,
    });
    expect(
      (await api(fake, 'chat.postMessage', fake.appToken, { channel: 'C1', text: 'x' })).body,
    ).toMatchObject({
      error: 'not_allowed_token_type',
    });
    expect((await api(fake, 'apps.connections.open', fake.botToken, {})).body).toMatchObject({
      error: 'not_allowed_token_type',
    });
    expect((await api(fake, 'auth.test', 'xoxb-nope', {})).body).toMatchObject({ error: 'invalid_auth' });
    expect(
      (await api(fake, 'chat.postMessage', fake.botToken, { channel: 'C1', text: 'json body' }, true)).body,
    ).toMatchObject({
      ok: true,
    });
    expect(fake.posts.map((p) => p.text)).toEqual(['json body']);
  });

  it('refuses text over 40,000 characters with msg_too_long and rate-limits with Retry-After', async () => {
    fake = await startSlackFakeServer();
    expect(
      (await api(fake, 'chat.postMessage', fake.botToken, { channel: 'C1', text: 'x'.repeat(40_001) })).body,
    ).toMatchObject({
      error: 'msg_too_long',
    });
    fake.failNext('chat.postMessage', { kind: 'rate-limit', retryAfterSeconds: 3 });
    const limited = await api(fake, 'chat.postMessage', fake.botToken, { channel: 'C1', text: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(fake.posts).toHaveLength(0);
  });

  it('says hello, delivers envelopes, and redelivers an unacked one with a new envelope id and retry_attempt + 1', async () => {
    fake = await startSlackFakeServer({ ackTimeoutMs: 100, maxRetries: 2 });
    const { ws, frames } = await connect(fake);
    const delivery = fake.message({ channel: 'D1', text: 'a < b' });
    await until(() => frames.filter((f) => f['type'] === 'events_api').length === 3);
    await expect(delivery.done).rejects.toThrow(/gave up/);
    const envelopes = frames.filter((f) => f['type'] === 'events_api');
    expect(envelopes.map((e) => e['retry_attempt'])).toEqual([0, 1, 2]);
    expect(new Set(envelopes.map((e) => e['envelope_id'])).size).toBe(3);
    const payload = envelopes[0]!['payload'] as {
      event_id: string;
      event: { text: string; channel_type: string };
    };
    expect(envelopes.every((e) => (e['payload'] as { event_id: string }).event_id === payload.event_id)).toBe(
      true,
    );
    expect(payload.event).toMatchObject({ text: 'a &lt; b', channel_type: 'im' });

    const next = fake.message({ channel: 'D1', text: 'ack me' });
    await until(() => frames.filter((f) => f['type'] === 'events_api').length === 4);
    ws.send(JSON.stringify({ envelope_id: frames.at(-1)!['envelope_id'], payload: {} }));
    await next.done;
    expect(fake.acks.at(-1)).toMatchObject({ key: next.key, late: false });
  });

  it('queues events while no socket is open and sends them after the next hello; sends disconnect messages', async () => {
    fake = await startSlackFakeServer();
    fake.message({ channel: 'C1', text: 'waiting' });
    const { ws, frames } = await connect(fake);
    await until(() => frames.some((f) => f['type'] === 'events_api'));
    expect(frames[0]!['type']).toBe('hello');
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    fake.requestDisconnect('refresh_requested', 50);
    await until(() => frames.some((f) => f['type'] === 'disconnect'));
    expect(frames.find((f) => f['type'] === 'disconnect')).toMatchObject({ reason: 'refresh_requested' });
    expect(await closed).toBe(1000);
  });

  it('refuses a WebSocket without a ticket from apps.connections.open', async () => {
    fake = await startSlackFakeServer();
    const ws = new WebSocket(`${fake.url.replace('http', 'ws')}/link/?ticket=forged`);
    sockets.push(ws);
    const outcome = await new Promise<string>((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });

  it('delivers a button press as a block_actions interactive envelope and records its ack', async () => {
    fake = await startSlackFakeServer();
    const { ws, frames } = await connect(fake);
    const press = fake.pressButton({
      channel: 'C1',
      messageTs: '1700000000.000100',
      actionId: 'go',
      triggerId: 't-1',
    });
    await until(() => frames.some((x) => x['type'] === 'interactive'));
    const envelope = frames.find((x) => x['type'] === 'interactive')!;
    expect(envelope['payload']).toMatchObject({
      type: 'block_actions',
      trigger_id: 't-1',
      container: { message_ts: '1700000000.000100', channel_id: 'C1' },
      actions: [{ action_id: 'go', value: 'go' }],
    });
    ws.send(JSON.stringify({ envelope_id: envelope['envelope_id'] }));
    await press.done;
    expect(fake.acks.map((a) => a.key)).toEqual(['t-1']);
  });

  it('streams with chat.startStream/appendStream/stopStream and refuses bad parameters like Slack', async () => {
    fake = await startSlackFakeServer();
    const t = fake.botToken;
    expect((await api(fake, 'chat.startStream', t, { channel: 'D1' })).body).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
    });
    expect(
      (await api(fake, 'chat.startStream', t, { channel: 'C1', thread_ts: '1700000000.000100' })).body,
    ).toEqual({ ok: false, error: 'missing_recipient_user_id' });
    const started = await api(fake, 'chat.startStream', t, { channel: 'D1', thread_ts: '1700000000.000100' });
    const ts = String(started.body['ts']);
    expect((await api(fake, 'chat.appendStream', t, { channel: 'D1', ts })).body).toMatchObject({
      error: 'invalid_arguments',
    });
    expect((await api(fake, 'chat.update', t, { channel: 'D1', ts, text: 'x' })).body).toMatchObject({
      error: 'message_not_in_streaming_state',
    });
    await api(fake, 'chat.appendStream', t, { channel: 'D1', ts, markdown_text: 'a' });
    await api(fake, 'chat.stopStream', t, { channel: 'D1', ts, markdown_text: 'b' });
    expect((await api(fake, 'chat.appendStream', t, { channel: 'D1', ts, markdown_text: 'c' })).body).toEqual(
      {
        ok: false,
        error: 'message_not_in_streaming_state',
      },
    );
    expect(fake.streams[0]).toMatchObject({ appends: ['a', 'b'], text: 'ab', stopped: true });
    expect(fake.posts.map((p) => p.text)).toEqual(['ab']);
  });

  it('records the blocks of chat.update and refuses blocks it cannot read', async () => {
    fake = await startSlackFakeServer();
    const t = fake.botToken;
    const posted = await api(fake, 'chat.postMessage', t, { channel: 'C1', text: 'q' });
    const ts = String(posted.body['ts']);
    const blocks = JSON.stringify([{ type: 'context', elements: [{ type: 'plain_text', text: 'done' }] }]);
    expect((await api(fake, 'chat.update', t, { channel: 'C1', ts, text: 'q', blocks })).body).toMatchObject({
      ok: true,
    });
    expect(fake.updates[0]!.blocks).toEqual(JSON.parse(blocks));
    expect(
      (await api(fake, 'chat.update', t, { channel: 'C1', ts, text: 'q', blocks: '{' })).body,
    ).toMatchObject({
      error: 'invalid_blocks',
    });
  });
});
