import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type FakeDiscord, startFakeDiscord } from './fake-discord.js';
import { FakeIntent, GatewayOp } from './fake-gateway.js';

interface Frame {
  op: number;
  t?: string;
  s?: number;
  d?: Record<string, unknown> | boolean | null;
}

/** A raw gateway client, to check the fake speaks the protocol without any SDK in between. */
class RawClient {
  readonly frames: Frame[] = [];
  readonly socket: WebSocket;
  readonly closed: Promise<number>;

  constructor(url: string) {
    this.socket = new WebSocket(`${url}/?v=10&encoding=json`);
    this.socket.on('message', (raw) => this.frames.push(JSON.parse(raw.toString()) as Frame));
    this.closed = new Promise((resolve) => this.socket.on('close', (code) => resolve(code)));
  }

  send(frame: object): void {
    this.socket.send(JSON.stringify(frame));
  }

  async next(match: (f: Frame) => boolean, timeoutMs = 3_000): Promise<Frame> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      const found = this.frames.find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`no matching frame; got ${JSON.stringify(this.frames.map((f) => f.t ?? f.op))}`);
  }
}

const ALL =
  FakeIntent.Guilds | FakeIntent.GuildMessages | FakeIntent.DirectMessages | FakeIntent.MessageContent;

describe('startFakeDiscord', () => {
  let fake: FakeDiscord | undefined;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.terminate();
    await fake?.close();
    fake = undefined;
  });

  async function identify(f: FakeDiscord, intents = ALL): Promise<RawClient> {
    const client = new RawClient(f.gatewayUrl);
    clients.push(client);
    const hello = await client.next((x) => x.op === GatewayOp.Hello);
    expect(hello.d).toEqual({ heartbeat_interval: 41_250 });
    client.send({ op: GatewayOp.Identify, d: { token: f.token, intents, properties: {} } });
    await client.next((x) => x.t === 'READY');
    return client;
  }

  it('HELLO, IDENTIFY → READY (s=1) and GUILD_CREATE with channels, roles and threads; heartbeats are acked', async () => {
    fake = await startFakeDiscord();
    const client = await identify(fake);
    const ready = await client.next((x) => x.t === 'READY');
    expect(ready.s).toBe(1);
    expect(ready.d).toMatchObject({
      v: 10,
      user: { id: fake.ids.bot, bot: true },
      resume_gateway_url: fake.gatewayUrl,
    });
    const guild = await client.next((x) => x.t === 'GUILD_CREATE');
    const d = guild.d as { channels: unknown[]; threads: Array<{ owner_id: string }>; roles: unknown[] };
    expect(d.channels.length).toBe(4);
    expect(d.threads.map((t) => t.owner_id)).toContain(fake.ids.bot);
    expect(d.roles.length).toBe(4);
    client.send({ op: GatewayOp.Heartbeat, d: 2 });
    await client.next((x) => x.op === GatewayOp.HeartbeatAck);
  });

  it('RESUME replays what was dispatched while the client was away, then RESUMED', async () => {
    fake = await startFakeDiscord();
    const first = await identify(fake);
    const ready = await first.next((x) => x.t === 'READY');
    const sessionId = (ready.d as { session_id: string }).session_id;
    await first.next((x) => x.t === 'GUILD_CREATE');
    fake.dropConnection();
    await first.closed;
    fake.postMessage({ channelId: fake.ids.dms.alice, content: 'while away 1' });
    fake.postMessage({ channelId: fake.ids.dms.alice, content: 'while away 2' });
    const second = new RawClient(fake.gatewayUrl);
    clients.push(second);
    await second.next((x) => x.op === GatewayOp.Hello);
    second.send({ op: GatewayOp.Resume, d: { token: fake.token, session_id: sessionId, seq: 2 } });
    const resumed = await second.next((x) => x.t === 'RESUMED');
    const replayed = second.frames.filter((x) => x.t === 'MESSAGE_CREATE');
    expect(replayed.map((x) => (x.d as { content: string }).content)).toEqual([
      'while away 1',
      'while away 2',
    ]);
    expect(replayed.map((x) => x.s)).toEqual([3, 4]);
    expect((replayed[0]!.d as { channel_type: number }).channel_type).toBe(1);
    expect(resumed.s).toBe(5);
    expect(fake.gateway.resumes).toBe(1);
  });

  it('an unknown session gets INVALID_SESSION; a wrong token closes with 4004', async () => {
    fake = await startFakeDiscord();
    const client = new RawClient(fake.gatewayUrl);
    clients.push(client);
    await client.next((x) => x.op === GatewayOp.Hello);
    client.send({ op: GatewayOp.Resume, d: { token: fake.token, session_id: 'nope', seq: 1 } });
    expect((await client.next((x) => x.op === GatewayOp.InvalidSession)).d).toBe(false);
    client.send({ op: GatewayOp.Identify, d: { token: 'wrong', intents: ALL, properties: {} } });
    expect(await client.closed).toBe(4004);
  });

  it('filters dispatches by intents: no DMs without DirectMessages, blank server text without MessageContent', async () => {
    fake = await startFakeDiscord();
    const client = await identify(fake, FakeIntent.Guilds | FakeIntent.GuildMessages);
    fake.postMessage({ channelId: fake.ids.dms.alice, content: 'a DM' });
    fake.postMessage({ channelId: fake.ids.channels.general, content: 'secret chatter' });
    fake.postMessage({ channelId: fake.ids.channels.general, content: 'for the bot', mentionBot: true });
    await client.next(
      (x) => x.t === 'MESSAGE_CREATE' && (x.d as { content: string }).content.includes('for the bot'),
    );
    const contents = client.frames
      .filter((x) => x.t === 'MESSAGE_CREATE')
      .map((x) => (x.d as { content: string }).content);
    expect(contents).toEqual(['', `<@${fake.ids.bot}> for the bot`]);
  });

  it('REST: auth, message create with Discord errors, and the bot message echoed to the gateway', async () => {
    fake = await startFakeDiscord();
    const client = await identify(fake);
    const post = (body: unknown, token = fake!.token) =>
      fetch(`${fake!.apiBase}/v10/channels/${fake!.ids.channels.general}/messages`, {
        method: 'POST',
        headers: { authorization: `Bot ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ content: 'x' }, 'bad')).status).toBe(401);
    const empty = await post({ content: '' });
    expect([empty.status, ((await empty.json()) as { code: number }).code]).toEqual([400, 50006]);
    const long = await post({ content: 'y'.repeat(2001) });
    expect([long.status, ((await long.json()) as { code: number }).code]).toEqual([400, 50035]);
    const ok = await post({ content: 'hello', nonce: 'n1', enforce_nonce: true });
    const created = (await ok.json()) as { id: string; author: { id: string } };
    expect(created.author.id).toBe(fake.ids.bot);
    const again = (await (await post({ content: 'hello', nonce: 'n1', enforce_nonce: true })).json()) as {
      id: string;
    };
    expect(again.id).toBe(created.id);
    expect(fake.botMessages()).toHaveLength(1);
    const echo = await client.next((x) => x.t === 'MESSAGE_CREATE');
    expect((echo.d as { author: { id: string } }).author.id).toBe(fake.ids.bot);
  });

  it('enforce_nonce: a nonce used within the window returns that message; without it the nonce is only echoed', async () => {
    fake = await startFakeDiscord({ nonceWindowMs: 300 });
    const client = await identify(fake);
    const post = async (body: unknown) => {
      const res = await fetch(`${fake!.apiBase}/v10/channels/${fake!.ids.channels.general}/messages`, {
        method: 'POST',
        headers: { authorization: `Bot ${fake!.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return {
        status: res.status,
        body: (await res.json()) as { id: string; nonce?: string; content: string },
      };
    };
    const plain1 = await post({ content: 'one', nonce: 'n-plain' });
    const plain2 = await post({ content: 'two', nonce: 'n-plain' });
    expect([plain1.status, plain2.status]).toEqual([200, 200]);
    expect(plain2.body.id).not.toBe(plain1.body.id);
    expect([plain1.body.nonce, plain2.body.nonce]).toEqual(['n-plain', 'n-plain']);

    const first = await post({ content: 'keyed', nonce: 'k.0', enforce_nonce: true });
    const repeat = await post({ content: 'keyed, said again', nonce: 'k.0', enforce_nonce: true });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ id: first.body.id, content: 'keyed', nonce: 'k.0' });
    const other = await post({ content: 'next part', nonce: 'k.1', enforce_nonce: true });
    expect(other.body.id).not.toBe(first.body.id);
    expect(fake.botMessages().map((m) => m.content)).toEqual(['one', 'two', 'keyed', 'next part']);
    // The repeat created nothing, so nothing was dispatched for it either.
    await client.next(
      (x) => x.t === 'MESSAGE_CREATE' && (x.d as { content: string }).content === 'next part',
    );
    const echoed = client.frames
      .filter((x) => x.t === 'MESSAGE_CREATE')
      .map((x) => (x.d as { content: string }).content);
    expect(echoed).toEqual(['one', 'two', 'keyed', 'next part']);

    // Past the window the nonce is free again.
    await new Promise((r) => setTimeout(r, 350));
    const late = await post({ content: 'keyed, much later', nonce: 'k.0', enforce_nonce: true });
    expect(late.body.id).not.toBe(first.body.id);
    expect(fake.botMessages()).toHaveLength(5);
  });
});
