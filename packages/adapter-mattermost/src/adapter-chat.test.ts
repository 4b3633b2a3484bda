import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestContext, sleep, tinyPng, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { MattermostAdapter } from './adapter.js';
import { fakeConfig, type Rig, startRig } from './test-support.js';
import { startFakeMattermostServer } from './testing/index.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const channel = { platform: 'mattermost', chatId: 'group-1', chatType: 'channel' } as const;
const dm = { platform: 'mattermost', chatId: 'dm-alice', chatType: 'dm' } as const;

describe('mattermost replies and threads', () => {
  it('reply mode thread: a channel answer goes under the message that asked, later replies there need no mention', async () => {
    rig = await startRig();
    const r = rig;
    const askedId = await r.fake.deliverGroup('what is up?', { mention: true });
    const asked = await r.context.waitForReceived((m) => m.text === 'what is up?');
    const result = await r.adapter.send(asked.chat, { text: 'all good', replyTo: asked.id });
    expect(result.ok).toBe(true);
    expect(r.fake.sentMessages().at(-1)).toMatchObject({ text: 'all good', threadId: askedId });
    // The user answers in that thread without a mention: the bot takes part there, so it is delivered.
    await r.fake.deliverGroup('thanks, and tomorrow?', { mention: false, rootId: askedId });
    const followUp = await r.context.waitForReceived((m) => m.text === 'thanks, and tomorrow?');
    expect(followUp.chat.threadId).toBe(askedId);
    // Answering a reply inside the thread goes under the thread's root (Mattermost refuses other roots).
    await r.adapter.send(followUp.chat, { text: 'sunny', replyTo: followUp.id });
    expect(r.fake.sentMessages().at(-1)).toMatchObject({ text: 'sunny', threadId: askedId });
    await r.adapter.send({ ...channel }, { text: 'to a reply without the thread', replyTo: followUp.id });
    expect(r.fake.sentMessages().at(-1)).toMatchObject({ threadId: askedId });
  });

  it('reply mode off: the answer goes into the channel; DMs never thread', async () => {
    rig = await startRig({ replyMode: 'off' });
    const r = rig;
    await r.fake.deliverGroup('question', { mention: true });
    const asked = await r.context.waitForReceived((m) => m.text === 'question');
    await r.adapter.send(asked.chat, { text: 'flat answer', replyTo: asked.id });
    expect(r.fake.sentMessages().at(-1)).toMatchObject({ text: 'flat answer' });
    expect(r.fake.sentMessages().at(-1)?.threadId).toBeUndefined();
    await r.fake.deliverDm('dm question');
    const inDm = await r.context.waitForReceived((m) => m.text === 'dm question');
    await r.adapter.send(inDm.chat, { text: 'dm answer', replyTo: inDm.id });
    expect(r.fake.sentMessages().at(-1)?.threadId).toBeUndefined();
  });

  it('ignores its own posts coming back over the socket', async () => {
    rig = await startRig({ requireMention: false });
    const r = rig;
    await r.adapter.send(channel, { text: 'my own words' });
    await r.fake.deliverGroup('a human speaks', { mention: false });
    await r.context.waitForReceived((m) => m.text === 'a human speaks');
    await sleep(200);
    expect(r.context.received.map((m) => m.text)).toEqual(['a human speaks']);
  });
});

describe('mattermost edits, reactions, typing, files', () => {
  it('edits with PUT /posts/{id}/patch and sends what does not fit as new posts in the same thread', async () => {
    rig = await startRig();
    const r = rig;
    const root = r.fake.store.createPost({ userId: 'user-alice', channelId: 'group-1', message: 'root' });
    const sent = await r.adapter.send({ ...channel, threadId: root.id }, { text: 'thinking…' });
    if (!sent.ok) throw sent.error;
    const long = `${'word '.repeat(1000)}${'tail '.repeat(200)}`.trim();
    const edited = await r.adapter.edit({ ...channel, threadId: root.id }, sent.messageIds[0]!, long);
    if (!edited.ok) throw edited.error;
    expect(edited.messageIds.length).toBeGreaterThanOrEqual(2);
    expect(r.fake.edits).toHaveLength(1);
    expect([...r.fake.edits[0]!.message].length).toBeLessThanOrEqual(4000);
    const extra = r.fake.sentMessages().slice(1);
    expect(extra.every((m) => m.threadId === root.id)).toBe(true);
    const words = (r.fake.edits[0]!.message + ' ' + extra.map((m) => m.text).join(' '))
      .split(/\s+/)
      .filter(Boolean);
    expect(words).toHaveLength(1200);
  });

  it('reacts by Mattermost emoji name and refuses an unknown character clearly', async () => {
    rig = await startRig();
    const r = rig;
    await r.fake.deliverDm('react to me');
    const msg = await r.context.waitForReceived((m) => m.text === 'react to me');
    await r.adapter.react(msg.chat, msg.id, '✅');
    await r.adapter.react(msg.chat, msg.id, ':eyes:');
    expect(r.fake.reactions.map((x) => x.emojiName)).toEqual(['white_check_mark', 'eyes']);
    await expect(r.adapter.react(msg.chat, msg.id, '🦜')).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('sends typing with the thread as parent_id', async () => {
    rig = await startRig();
    const r = rig;
    await r.adapter.typing({ ...channel, threadId: 'root1' });
    expect(r.fake.typing.at(-1)).toEqual({
      userId: r.fake.botUserId,
      channelId: 'group-1',
      parentId: 'root1',
    });
  });

  it('uploads a file with its caption and downloads inbound files with the token, through the safe downloader', async () => {
    rig = await startRig();
    const r = rig;
    const dir = await mkdtemp(join(tmpdir(), 'mm-out-'));
    try {
      const path = join(dir, 'chart.png');
      await writeFile(path, tinyPng());
      const result = await r.adapter.send(dm, {
        media: [{ kind: 'image', path, mime: 'image/png', caption: 'the chart' }],
      });
      expect(result.ok).toBe(true);
      const upload = r.fake.sentMessages().at(-1)!;
      expect(upload).toMatchObject({ chatId: 'dm-alice', text: 'the chart', mediaName: 'chart.png' });
      expect(upload.mediaBytes?.equals(tinyPng())).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const bytes = Buffer.from('%PDF-1.4 fake pdf');
    await r.fake.deliverDm('the report', { files: [{ name: 'report.pdf', mime: 'application/pdf', bytes }] });
    const msg = await r.context.waitForReceived((m) => m.text === 'the report');
    expect(msg.attachments[0]).toMatchObject({ kind: 'file', name: 'report.pdf', size: bytes.length });
    const local = await msg.attachments[0]!.fetch();
    expect((await readFile(local)).equals(bytes)).toBe(true);
    const download = r.fake.server.requests.find(
      (q) => q.method === 'GET' && q.path.startsWith('/api/v4/files/'),
    );
    expect(download?.headers.authorization).toBe(`Bearer ${r.fake.token}`);
  });

  it('trusts the configured server for files, even on loopback, but not a redirect to another private host', async () => {
    rig = await startRig({ allowPrivateMedia: false });
    const r = rig;
    const bytes = Buffer.from('from the server itself');
    await r.fake.deliverDm('own file', { files: [{ name: 'a.txt', mime: 'text/plain', bytes }] });
    const own = await r.context.waitForReceived((m) => m.text === 'own file');
    expect((await readFile(await own.attachments[0]!.fetch())).equals(bytes)).toBe(true);

    const elsewhere = `http://localhost:${r.fake.server.port}/elsewhere`;
    r.fake.server.route('GET', /^\/api\/v4\/files\//, (_req, res) => {
      res.writeHead(302, { location: elsewhere });
      res.end();
    });
    await r.fake.deliverDm('redirected file', { files: [{ name: 'b.txt', mime: 'text/plain', bytes }] });
    const redirected = await r.context.waitForReceived((m) => m.text === 'redirected file');
    await expect(redirected.attachments[0]!.fetch()).rejects.toMatchObject({ code: 'media_refused' });
  });
});

describe('mattermost credentials', () => {
  it('probe() names the bot, and a wrong token fails with auth_failed and a fix', async () => {
    const fake = await startFakeMattermostServer();
    try {
      const good = await new MattermostAdapter(fakeConfig(fake)).probe();
      expect(good).toMatchObject({ ok: true, identity: '@hermes' });
      const bad = await new MattermostAdapter(fakeConfig(fake, { token: 'wrong-token' })).probe();
      expect(bad.ok).toBe(false);
      if (!bad.ok) {
        expect(bad.error.code).toBe('auth_failed');
        expect(bad.fix).toMatch(/MATTERMOST_TOKEN/);
      }
    } finally {
      await fake.close();
    }
  });

  it('start() with a wrong token rejects at once (no reconnect loop) and leaves nothing open', async () => {
    const fake = await startFakeMattermostServer();
    const context = createTestContext();
    try {
      const adapter = new MattermostAdapter(fakeConfig(fake, { token: 'wrong-token' }));
      await expect(adapter.start(context.ctx)).rejects.toMatchObject({ code: 'auth_failed' });
      const calls = fake.server.requests.length;
      await sleep(300);
      expect(fake.server.requests.length).toBe(calls);
      expect(fake.server.sockets.size).toBe(0);
      expect(JSON.stringify(context.logger.entries)).not.toContain('wrong-token');
    } finally {
      await fake.close();
      await context.cleanup();
    }
  });

  it('a send before start() and after stop() is not_connected', async () => {
    rig = await startRig();
    const r = rig;
    await r.adapter.stop();
    const result = await r.adapter.send(dm, { text: 'late' });
    expect(result).toMatchObject({ ok: false, error: { code: 'not_connected' } });
    await waitFor(() => r.fake.server.sockets.size === 0, { timeoutMs: 2_000, what: 'the socket to close' });
  });
});
