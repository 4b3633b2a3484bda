import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatRef } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Rig, sleep, startRig } from './test-support.js';
import { FAKE_FEISHU_SEND_MATCH } from './testing/index.js';

const dm: ChatRef = { platform: 'feishu', chatId: 'oc_dm_out', chatType: 'dm' };
let rig: Rig | undefined;
let dir: string | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('feishu outbound', () => {
  it('Markdown goes out as a post with one md element, plain words as text, each with a uuid', async () => {
    rig = await startRig();
    const md = await rig.adapter.send(dm, { text: '**bold** and `code`' });
    const plain = await rig.adapter.send(dm, { text: 'just words' });
    const forced = await rig.adapter.send(dm, { text: '**not bold**', format: 'plain' });
    expect([md.ok, plain.ok, forced.ok]).toEqual([true, true, true]);
    const sent = rig.fake.sentMessages();
    expect(sent.map((m) => m.msgType)).toEqual(['post', 'text', 'text']);
    expect(sent[0]!.raw).toMatchObject({
      content: JSON.stringify({
        zh_cn: { title: '', content: [[{ tag: 'md', text: '**bold** and `code`' }]] },
      }),
    });
    expect(sent.every((m) => typeof m.uuid === 'string' && m.uuid.length > 0 && m.uuid.length <= 50)).toBe(
      true,
    );
    expect(new Set(sent.map((m) => m.uuid)).size).toBe(3);
  });

  it('a reply to a withdrawn message (230011) or an unknown one (231003) falls back to a new message', async () => {
    rig = await startRig();
    const inbound = await rig.fake.deliverDm('hi', { chatId: dm.chatId });
    await rig.context.waitForReceived((m) => m.id === inbound, 5_000);
    rig.fake.withdraw(inbound);
    const r1 = await rig.adapter.send(dm, { text: 'answer one', replyTo: inbound });
    const r2 = await rig.adapter.send(dm, { text: 'answer two', replyTo: 'om_never_existed' });
    expect(r1.ok && r2.ok).toBe(true);
    const sent = rig.fake.sentMessages();
    expect(sent.map((m) => [m.text, m.chatId, m.replyTo])).toEqual([
      ['answer one', dm.chatId, undefined],
      ['answer two', dm.chatId, undefined],
    ]);
    expect(rig.adapter.stats().send.replyFallbacks).toBe(2);
  });

  it('a reply that works stays a reply', async () => {
    rig = await startRig();
    const inbound = await rig.fake.deliverDm('question', { chatId: dm.chatId });
    await rig.context.waitForReceived((m) => m.id === inbound, 5_000);
    const result = await rig.adapter.send(dm, { text: 'answer', replyTo: inbound });
    expect(result.ok).toBe(true);
    expect(rig.fake.sentMessages()[0]).toMatchObject({ replyTo: inbound, chatId: dm.chatId, text: 'answer' });
  });

  it('a post Feishu cannot parse is resent once as plain text', async () => {
    rig = await startRig();
    rig.fake.failNextSend(230001, 'The content format of the post type is incorrect');
    const result = await rig.adapter.send(dm, { text: '# Title\n\n- item' });
    expect(result.ok).toBe(true);
    const sent = rig.fake.sentMessages();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ msgType: 'text', text: '# Title\n\n- item' });
    expect(rig.adapter.stats().send.plainTextResends).toBe(1);
  });

  it('a send whose answer was lost is retried with the same uuid and lands once', async () => {
    rig = await startRig();
    rig.fake.loseNextSendAnswer();
    const result = await rig.adapter.send(dm, { text: 'exactly once' });
    expect(result.ok).toBe(true);
    const attempts = rig.fake.server.requests.filter(
      (r) => r.method === 'POST' && r.path === '/open-apis/im/v1/messages',
    );
    expect(attempts.length).toBe(2);
    expect(new Set(attempts.map((r) => r.json<{ uuid: string }>().uuid)).size).toBe(1);
    expect(rig.fake.sentMessages().filter((m) => m.text === 'exactly once')).toHaveLength(1);
  });

  it('Feishu frequency limit 99991400 waits for x-ogw-ratelimit-reset, then lands once', async () => {
    rig = await startRig();
    rig.fake.server.faults.next(
      {
        kind: 'status',
        status: 400,
        body: { code: 99991400, msg: 'request trigger frequency limit' },
        headers: { 'x-ogw-ratelimit-reset': '1' },
      },
      1,
      FAKE_FEISHU_SEND_MATCH,
    );
    const result = await rig.adapter.send(dm, { text: 'after the limit' });
    expect(result.ok).toBe(true);
    const limited = rig.fake.server.faults.applied[0]!.request;
    const retry = rig.fake.server.requests.find(
      (r) => r.path === limited.path && r !== limited && r.fault === undefined,
    );
    expect(retry!.receivedAt - limited.receivedAt).toBeGreaterThanOrEqual(950);
    expect(rig.fake.sentMessages().filter((m) => m.text === 'after the limit')).toHaveLength(1);
  });

  it('reuses one tenant token, and fetches a new one once when Feishu stops honouring it', async () => {
    rig = await startRig();
    for (let i = 0; i < 5; i++) expect((await rig.adapter.send(dm, { text: `n${i}` })).ok).toBe(true);
    expect(rig.fake.tokensIssued).toBe(1);
    rig.fake.revokeTokens();
    expect((await rig.adapter.send(dm, { text: 'after rotation' })).ok).toBe(true);
    expect(rig.fake.tokensIssued).toBe(2);
  });

  it('fetches a new tenant token before the old one expires (3 minutes early, as the SDK schedules it)', async () => {
    // A token that lives 181 s is due for refresh after 1 s.
    rig = await startRig({}, { tokenExpireS: 181 });
    expect((await rig.adapter.send(dm, { text: 'first' })).ok).toBe(true);
    const issued = rig.fake.tokensIssued;
    await sleep(1_100);
    expect((await rig.adapter.send(dm, { text: 'second' })).ok).toBe(true);
    expect(rig.fake.tokensIssued).toBe(issued + 1);
    const auths = rig.fake.server.requests
      .filter((r) => r.path === '/open-apis/im/v1/messages')
      .map((r) => r.headers['authorization']);
    expect(auths[0]).not.toBe(auths[1]);
  });

  it('uploads: PNG as an image, GIF as a file, opus as an audio bubble, PDF with its file_type', async () => {
    rig = await startRig();
    dir = await mkdtemp(join(tmpdir(), 'feishu-out-'));
    const files = { 'a.png': 'png', 'b.gif': 'gif', 'c.opus': 'opus', 'd.pdf': 'pdf' } as const;
    for (const name of Object.keys(files)) await writeFile(join(dir, name), Buffer.from(`bytes of ${name}`));
    const result = await rig.adapter.send(dm, {
      media: [
        { kind: 'image', path: join(dir, 'a.png'), mime: 'image/png' },
        { kind: 'image', path: join(dir, 'b.gif'), mime: 'image/gif' },
        { kind: 'voice', path: join(dir, 'c.opus') },
        { kind: 'file', path: join(dir, 'd.pdf'), caption: 'the report' },
      ],
    });
    expect(result).toMatchObject({ ok: true });
    const sent = rig.fake.sentMessages();
    expect(sent.map((m) => [m.msgType, m.mediaName ?? m.text])).toEqual([
      ['image', 'a.png'],
      ['file', 'b.gif'],
      ['audio', 'c.opus'],
      ['file', 'd.pdf'],
      ['text', 'the report'],
    ]);
    expect([...rig.fake.uploads.values()].map((u) => u.fileType)).toEqual([
      undefined,
      'stream',
      'opus',
      'pdf',
    ]);
    expect(sent[3]!.mediaBytes!.toString()).toBe('bytes of d.pdf');
  });

  it('edit() rewrites a sent message in place (PUT), keeping text as text', async () => {
    rig = await startRig();
    const sent = await rig.adapter.send(dm, { text: 'draft' });
    if (!sent.ok) throw new Error('send failed');
    const edited = await rig.adapter.edit(dm, sent.messageIds[0]!, 'final answer');
    expect(edited.ok).toBe(true);
    expect(rig.fake.edits).toEqual([
      expect.objectContaining({ messageId: sent.messageIds[0], text: 'final answer', method: 'PUT' }),
    ]);
  });

  it('edit() keeps the type a message went out as: text stays text, a post stays a post', async () => {
    rig = await startRig();
    const text = await rig.adapter.send(dm, { text: 'plain start' });
    const post = await rig.adapter.send(dm, { text: '**bold** start' });
    if (!text.ok || !post.ok) throw new Error('send failed');
    expect((await rig.adapter.edit(dm, text.messageIds[0]!, 'now with **stars**')).ok).toBe(true);
    expect((await rig.adapter.edit(dm, post.messageIds[0]!, 'now plain')).ok).toBe(true);
    expect(rig.fake.edits.map((e) => (e.raw as { msg_type: string }).msg_type)).toEqual(['text', 'post']);
  });

  it('send() and edit() before start() are not_connected', async () => {
    const { FeishuAdapter } = await import('./adapter.js');
    const adapter = new FeishuAdapter({ appId: 'cli_a1b2c3d4e5f60718', appSecret: 'x' });
    expect(await adapter.send(dm, { text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'not_connected' },
    });
    expect(await adapter.edit(dm, 'om_1', 'x')).toMatchObject({
      ok: false,
      error: { code: 'not_connected' },
    });
  });
});
