import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatRef } from '@hermes/adapter-core';
import { tinyPng } from '@hermes/adapter-testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, sleep, startRig } from './test-support.js';

let rig: Rig | undefined;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wecom-out-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const dm = (chatId = 'alice'): ChatRef => ({ platform: 'wecom', chatId, chatType: 'dm' });
const group = (chatId: string): ChatRef => ({ platform: 'wecom', chatId, chatType: 'group' });

async function file(name: string, data: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, data);
  return path;
}

async function receiveFrom(r: Rig, from: string, text: string) {
  const { reqId } = r.fake.deliverText(text, { from });
  const msg = await r.context.waitForReceived((m) => m.text === text);
  return { reqId, msg };
}

describe('WecomAdapter replies', () => {
  it('answers passively with the callback req_id and a markdown body', async () => {
    rig = await startRig();
    const { reqId, msg } = await receiveFrom(rig, 'alice', 'question');
    const result = await rig.adapter.send(msg.chat, { text: '**answer**', replyTo: msg.id });
    expect(result).toMatchObject({ ok: true, messageIds: [expect.any(String)] });
    const frame = rig.fake.frames.at(-1)!;
    expect(frame).toMatchObject({
      cmd: 'aibot_respond_msg',
      reqId,
      body: { msgtype: 'markdown', markdown: { content: '**answer**' } },
    });
    expect(rig.adapter.stats().send).toMatchObject({ passive: 1, proactive: 0 });
  });

  it('sends proactively with chatid when no token is known', async () => {
    rig = await startRig();
    const result = await rig.adapter.send(dm('carol'), { text: 'cron says hi' });
    expect(result.ok).toBe(true);
    expect(rig.fake.frames.at(-1)).toMatchObject({
      cmd: 'aibot_send_msg',
      body: { chatid: 'carol', msgtype: 'markdown', markdown: { content: 'cron says hi' } },
    });
  });

  it("a reply to a message this socket never received goes proactively, never on another message's req_id", async () => {
    rig = await startRig();
    // Alice's newer message is pending here; the one answered reached another replica's socket.
    const { reqId: newer } = await receiveFrom(rig, 'alice', 'newer question');
    const result = await rig.adapter.send(dm('alice'), {
      text: 'answer to the older one',
      replyTo: 'msg-elsewhere',
    });
    expect(result.ok).toBe(true);
    expect(rig.fake.frames.at(-1)).toMatchObject({
      cmd: 'aibot_send_msg',
      body: { chatid: 'alice', markdown: { content: 'answer to the older one' } },
    });
    expect(rig.fake.frames.some((f) => f.cmd === 'aibot_respond_msg' && f.reqId === newer)).toBe(false);
  });

  it('a proactive-looking send to a group with a cached token goes through aibot_respond_msg', async () => {
    rig = await startRig();
    const { reqId } = rig.fake.deliverText('@Bot hello', { from: 'alice', chatId: 'wrGroup' });
    await rig.context.waitForReceived((m) => m.chat.chatId === 'wrGroup');
    const result = await rig.adapter.send(group('wrGroup'), { text: 'ping' });
    expect(result.ok).toBe(true);
    expect(rig.fake.frames.at(-1)).toMatchObject({
      cmd: 'aibot_respond_msg',
      reqId,
      body: { msgtype: 'markdown', markdown: { content: 'ping' } },
    });
  });

  it('a group without a token fails with 600039 and says why', async () => {
    // Blocked by the policy, so its token is never cached; the fake knows the group and refuses proactive posts.
    rig = await startRig({ groupPolicy: 'pairing' });
    rig.fake.deliverText('@Bot hi', { from: 'alice', chatId: 'wrKnown' });
    await rig.fake.waitUntil(
      () => rig!.adapter.stats().dropped.blocked === 1,
      2_000,
      'the group message to be blocked',
    );
    const refused = await rig.adapter.send(group('wrKnown'), { text: 'x' });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'forbidden', errcode: 600039, fix: expect.stringContaining('proactive') },
    });
    expect(rig.fake.frames.filter((f) => f.cmd === 'aibot_send_msg')).toHaveLength(1);
  });

  it('846605 (stale token): falls back to aibot_send_msg, and later parts stay proactive', async () => {
    rig = await startRig();
    const { msg } = await receiveFrom(rig, 'alice', 'long question');
    rig.fake.failNext('aibot_respond_msg', 846605, 'invalid req_id');
    const result = await rig.adapter.send(msg.chat, {
      text: `${'a'.repeat(3000)}\n\n${'b'.repeat(3000)}`,
      replyTo: msg.id,
    });
    expect(result.ok).toBe(true);
    const cmds = rig.fake.frames.filter((f) => f.cmd !== 'aibot_subscribe').map((f) => f.cmd);
    expect(cmds).toEqual(['aibot_respond_msg', 'aibot_send_msg', 'aibot_send_msg']);
    expect(rig.adapter.stats().send).toMatchObject({ staleTokenFallbacks: 1, proactive: 2, passive: 0 });
  });

  it('after a reconnect a DM reply skips the dead token and goes proactively at once', async () => {
    rig = await startRig();
    const { msg } = await receiveFrom(rig, 'alice', 'before the drop');
    rig.fake.dropConnections('terminate');
    await rig.fake.waitForSubscribe(2);
    const result = await rig.adapter.send(msg.chat, { text: 'after the drop', replyTo: msg.id });
    expect(result.ok).toBe(true);
    expect(rig.fake.replies.map((r) => [r.via, r.errcode, r.content])).toEqual([
      ['send', 0, 'after the drop'],
    ]);
  });

  it('after a reconnect a group still tries its token: the server answers 846605, then 600039', async () => {
    rig = await startRig();
    rig.fake.deliverText('@Bot before the drop', { from: 'alice', chatId: 'wrG' });
    const msg = await rig.context.waitForReceived();
    rig.fake.dropConnections('close');
    await rig.fake.waitForSubscribe(2);
    const result = await rig.adapter.send(msg.chat, { text: 'after the drop', replyTo: msg.id });
    expect(result).toMatchObject({ ok: false, error: { errcode: 600039 } });
    expect(rig.fake.replies.map((r) => [r.via, r.errcode])).toEqual([
      ['respond', 846605],
      ['send', 600039],
    ]);
  });

  it('an ambiguous timeout is reported and never re-sent, passively or proactively', async () => {
    rig = await startRig({ requestTimeoutMs: 300 });
    const { msg } = await receiveFrom(rig, 'alice', 'q');
    rig.fake.swallowNext('aibot_respond_msg');
    const result = await rig.adapter.send(msg.chat, { text: 'maybe delivered', replyTo: msg.id });
    expect(result).toMatchObject({ ok: false, error: { code: 'timeout_ambiguous', retryable: false } });
    await sleep(700);
    const sends = rig.fake.frames.filter((f) => f.cmd === 'aibot_respond_msg' || f.cmd === 'aibot_send_msg');
    expect(sends).toHaveLength(1);
  });

  it('splits long replies at 4000 characters, all passive under the same req_id', async () => {
    rig = await startRig();
    const { reqId, msg } = await receiveFrom(rig, 'alice', 'tell me a lot');
    const text = Array.from({ length: 60 }, (_, i) => `Paragraph ${i}: ${'词'.repeat(180)}`).join('\n\n');
    const result = await rig.adapter.send(msg.chat, { text, replyTo: msg.id });
    expect(result.ok).toBe(true);
    const replies = rig.fake.replies.filter((r) => r.errcode === 0);
    expect(replies.length).toBeGreaterThanOrEqual(3);
    for (const reply of replies) {
      expect([...(reply.content ?? '')].length).toBeLessThanOrEqual(4000);
      expect(reply).toMatchObject({ via: 'respond', reqId });
    }
    expect(
      replies
        .map((r) => r.content)
        .join('\n\n')
        .replace(/\s+/g, ''),
    ).toBe(text.replace(/\s+/g, ''));
    if (result.ok) expect(result.messageIds).toHaveLength(replies.length);
  });

  it('the first part that fails stops the parts after it', async () => {
    rig = await startRig();
    const { msg } = await receiveFrom(rig, 'alice', 'q');
    rig.fake.failNext('aibot_respond_msg', 40058, 'invalid content');
    const result = await rig.adapter.send(msg.chat, {
      text: `${'a'.repeat(3000)}\n\n${'b'.repeat(3000)}`,
      replyTo: msg.id,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'bad_request', errcode: 40058 } });
    await sleep(100);
    expect(
      rig.fake.frames.filter((f) => f.cmd === 'aibot_respond_msg' || f.cmd === 'aibot_send_msg'),
    ).toHaveLength(1);
  });

  it('nothing to send is a clear error', async () => {
    rig = await startRig();
    expect(await rig.adapter.send(dm(), { text: '  ' })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
  });
});

describe('WecomAdapter media out', () => {
  it('uploads in chunks and sends the image passively with its media_id in a reply context', async () => {
    rig = await startRig();
    const { reqId, msg } = await receiveFrom(rig, 'alice', 'send me a picture');
    const path = await file('pic.png', tinyPng());
    const result = await rig.adapter.send(msg.chat, { media: [{ kind: 'image', path }], replyTo: msg.id });
    expect(result.ok).toBe(true);
    const cmds = rig.fake.frames.map((f) => f.cmd).slice(1);
    expect(cmds).toEqual([
      'aibot_upload_media_init',
      'aibot_upload_media_chunk',
      'aibot_upload_media_finish',
      'aibot_respond_msg',
    ]);
    const mediaId = [...rig.fake.uploads.values()][0]!.mediaId;
    expect(rig.fake.frames.at(-1)).toMatchObject({
      reqId,
      body: { msgtype: 'image', image: { media_id: mediaId } },
    });
    expect(rig.fake.mediaById(mediaId!)?.data.equals(tinyPng())).toBe(true);
  });

  it('frames the upload: 512 KB raw chunks, base64, index from 0, md5 and total size in init', async () => {
    rig = await startRig();
    const data = randomBytes(1_300_000);
    const path = await file('blob.bin', data);
    const result = await rig.adapter.send(dm(), { media: [{ kind: 'file', path, name: 'report.bin' }] });
    expect(result.ok).toBe(true);
    const init = rig.fake.frames.find((f) => f.cmd === 'aibot_upload_media_init')!;
    expect(init.body).toEqual({
      type: 'file',
      filename: 'report.bin',
      total_size: 1_300_000,
      total_chunks: 3,
      md5: createHash('md5').update(data).digest('hex'),
    });
    const chunks = rig.fake.frames.filter((f) => f.cmd === 'aibot_upload_media_chunk');
    expect(chunks.map((c) => c.body['chunk_index'])).toEqual([0, 1, 2]);
    expect(chunks.map((c) => Buffer.from(String(c.body['base64_data']), 'base64').length)).toEqual([
      524_288, 524_288, 251_424,
    ]);
    expect(rig.fake.frames.at(-1)).toMatchObject({
      cmd: 'aibot_send_msg',
      body: { chatid: 'alice', msgtype: 'file' },
    });
  });

  it('voice that is not AMR goes as a file, then the caption, then the ℹ️ note', async () => {
    rig = await startRig();
    const ogg = Buffer.concat([
      Buffer.from('OggS'),
      Buffer.alloc(28),
      Buffer.from('OpusHead'),
      randomBytes(100),
    ]);
    const path = await file('note.ogg', ogg);
    const result = await rig.adapter.send(dm(), {
      media: [{ kind: 'voice', path, caption: 'my voice note' }],
    });
    expect(result.ok).toBe(true);
    const sent = rig.fake.replies.map((r) => [r.msgtype, r.content ?? r.mediaName]);
    expect(sent[0]).toEqual(['file', 'note.ogg']);
    expect(sent[1]).toEqual(['markdown', 'my voice note']);
    expect(sent[2]![1]).toMatch(/^ℹ️ 语音格式 audio\/ogg 不支持，企微仅支持 AMR 格式/);
  });

  it('AMR voice under 2 MB goes as voice', async () => {
    rig = await startRig();
    const path = await file('v.amr', Buffer.concat([Buffer.from('#!AMR\n'), randomBytes(500)]));
    expect((await rig.adapter.send(dm(), { media: [{ kind: 'voice', path }] })).ok).toBe(true);
    expect(rig.fake.replies.map((r) => r.msgtype)).toEqual(['voice']);
  });

  it('an image over 10 MB goes as a file with a note; anything over 20 MB is refused before uploading', async () => {
    rig = await startRig({ requestTimeoutMs: 10_000 });
    const big = Buffer.concat([tinyPng(), randomBytes(10 * 1024 * 1024 + 10)]);
    const path = await file('huge.png', big);
    const result = await rig.adapter.send(dm(), { media: [{ kind: 'image', path }] });
    expect(result.ok).toBe(true);
    expect(rig.fake.replies.map((r) => r.msgtype)).toEqual(['file', 'markdown']);
    expect(rig.fake.replies[1]!.content).toMatch(/^ℹ️ 图片大小 10\.0MB 超过 10MB 限制/);

    const framesBefore = rig.fake.frames.length;
    const giant = join(dir, 'giant.mp4');
    await writeFile(giant, Buffer.alloc(0));
    await truncate(giant, 21 * 1024 * 1024);
    const refused = await rig.adapter.send(dm(), {
      text: 'with a giant file',
      media: [{ kind: 'video', path: giant }],
    });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'too_large', message: expect.stringContaining('20MB') },
    });
    expect(rig.fake.frames.length).toBe(framesBefore);
  });

  it('refuses placeholder and missing paths with a clear error', async () => {
    rig = await startRig();
    expect(await rig.adapter.send(dm(), { media: [{ kind: 'file', path: '<path>' }] })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('placeholder') },
    });
    expect(
      await rig.adapter.send(dm(), { media: [{ kind: 'file', path: join(dir, 'missing.txt') }] }),
    ).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});
