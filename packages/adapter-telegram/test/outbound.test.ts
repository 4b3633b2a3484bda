import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatRef, renderMarkdown } from '@hermes/adapter-core';
import { waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { TelegramAdapter, type TelegramConfigInput } from '../src/index.js';
import { createHarness, type TelegramHarness } from './harness.js';

let h: TelegramHarness | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function started(config: Partial<TelegramConfigInput> = {}): Promise<TelegramHarness> {
  h = await createHarness({ config });
  await h.adapter.start(h.context.ctx);
  return h;
}

function file(name: string, data: Buffer): string {
  dir ??= mkdtempSync(join(tmpdir(), 'hermes-telegram-out-'));
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}

const alice: ChatRef = { platform: 'telegram', chatId: '1001', chatType: 'dm' };

describe('text out', () => {
  it('renders Telegram HTML that the Bot API accepts, replying to the original', async () => {
    const t = await started();
    t.fake.sendText({ chat: t.fake.aliceDm, from: t.fake.alice, text: 'question' });
    const question = await t.context.waitForReceived();
    const result = await t.adapter.send(alice, { text: '**bold** <tag> & `code`', replyTo: question.id });
    expect(result.ok).toBe(true);
    const sent = t.fake.sent.at(-1)!;
    expect(sent.parseMode).toBe('HTML');
    expect(sent.text).toBe(renderMarkdown('**bold** <tag> & `code`', 'telegram-html'));
    expect(sent.message['text']).toBe('bold <tag> & code');
    expect(sent.replyTo).toBe(Number(question.id));
  });

  it('a parse error is answered by re-sending that chunk as plain text, never by failing', async () => {
    const t = await started();
    t.fake.faults.next(
      {
        kind: 'status',
        status: 400,
        description: 'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 3',
      },
      1,
      { method: 'sendMessage' },
    );
    const result = await t.adapter.send(alice, { text: 'some **bold** words' });
    expect(result.ok).toBe(true);
    const calls = t.fake.callsTo('sendMessage');
    expect(calls).toHaveLength(2);
    expect(calls[0]!.params['parse_mode']).toBe('HTML');
    expect(calls[1]!.params['parse_mode']).toBeUndefined();
    expect(calls[1]!.params['text']).toBe('some bold words');
    expect(t.fake.sent).toHaveLength(1);
    expect(t.context.logger.find('warn', 'rejected the HTML')).toHaveLength(1);
  });

  it('format "plain" sends without parse_mode', async () => {
    const t = await started();
    await t.adapter.send(alice, { text: 'a <b>raw</b> string', format: 'plain' });
    expect(t.fake.callsTo('sendMessage')[0]!.params['parse_mode']).toBeUndefined();
  });

  it('a reply into a forum topic that no longer exists goes to the chat instead of being lost', async () => {
    const t = await started();
    const forum: ChatRef = {
      platform: 'telegram',
      chatId: String(t.fake.forum.id),
      chatType: 'group',
      threadId: '999',
    };
    const result = await t.adapter.send(forum, { text: 'where did the topic go' });
    expect(result.ok).toBe(true);
    expect(t.fake.sent.at(-1)!.threadId).toBeUndefined();
    expect(t.context.logger.find('warn', 'topic not found')).toHaveLength(1);
  });
});

describe('media out (multipart upload from disk)', () => {
  it('picks the method per kind: ogg/opus as voice, other audio as audio, photos, gifs, videos, files', async () => {
    const t = await started({ pacing: { perChat: { capacity: 20, refillPerSecond: 20 } } });
    const ogg = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(30, 2)]);
    const cases = [
      { kind: 'voice' as const, name: 'note.ogg', data: ogg, method: 'sendVoice' },
      { kind: 'audio' as const, name: 'talk.opus', data: ogg, method: 'sendVoice' },
      { kind: 'audio' as const, name: 'song.mp3', data: Buffer.from('ID3....'), method: 'sendAudio' },
      { kind: 'image' as const, name: 'pic.png', data: Buffer.from('\x89PNG....'), method: 'sendPhoto' },
      { kind: 'image' as const, name: 'anim.gif', data: Buffer.from('GIF89a..'), method: 'sendAnimation' },
      { kind: 'video' as const, name: 'clip.mp4', data: Buffer.from('....ftyp'), method: 'sendVideo' },
      { kind: 'file' as const, name: 'doc.pdf', data: Buffer.from('%PDF-1.4'), method: 'sendDocument' },
    ];
    for (const c of cases) {
      const result = await t.adapter.send(alice, {
        media: [{ kind: c.kind, path: file(c.name, c.data), name: c.name }],
      });
      expect(result.ok, c.name).toBe(true);
      const sent = t.fake.sent.at(-1)!;
      expect(sent.method, c.name).toBe(c.method);
      expect(sent.file?.filename, c.name).toBe(c.name);
      expect(sent.file?.data.equals(c.data), c.name).toBe(true);
    }
  });

  it('keeps the reply and an HTML caption on uploads; a caption over 1024 units follows as text', async () => {
    const t = await started();
    t.fake.sendText({ chat: t.fake.aliceDm, from: t.fake.alice, text: 'send me the chart' });
    const ask = await t.context.waitForReceived();
    const path = file('chart.png', Buffer.from('\x89PNG chart'));
    const short = await t.adapter.send(alice, {
      replyTo: ask.id,
      media: [{ kind: 'image', path, caption: 'the **chart**' }],
    });
    expect(short.ok).toBe(true);
    const photo = t.fake.sent.at(-1)!;
    expect(photo.replyTo).toBe(Number(ask.id));
    expect(photo.text).toBe('the <b>chart</b>');
    const long = 'word '.repeat(400);
    const result = await t.adapter.send(alice, { media: [{ kind: 'image', path, caption: long }] });
    expect(result.ok && result.messageIds).toHaveLength(2);
    expect(t.fake.sent.at(-2)!.text).toBeUndefined();
    expect(t.fake.sent.at(-1)!.method).toBe('sendMessage');
  });

  it('a missing file is a clear error, not a crash', async () => {
    const t = await started();
    const result = await t.adapter.send(alice, { media: [{ kind: 'file', path: '/nonexistent/x.bin' }] });
    expect(!result.ok && result.error.code).toBe('bad_request');
    expect(!result.ok && result.error.fix).toMatch(/local file/);
  });
});

describe('edits, typing, reactions, commands', () => {
  it('edits a message; an unchanged text is fine; a text that no longer fits is refused', async () => {
    const t = await started();
    const sent = await t.adapter.send(alice, { text: 'draft' });
    const id = sent.ok ? sent.messageIds[0]! : '';
    expect((await t.adapter.edit(alice, id, 'draft **two**')).ok).toBe(true);
    expect(t.fake.seen.edits.at(-1)).toMatchObject({ text: 'draft <b>two</b>', parseMode: 'HTML' });
    expect((await t.adapter.edit(alice, id, 'draft **two**')).ok).toBe(true);
    const tooLong = await t.adapter.edit(alice, id, 'x '.repeat(3000));
    expect(!tooLong.ok && tooLong.error.code).toBe('too_large');
  });

  it('typing goes to the topic; reactions are mapped to emoji Telegram offers', async () => {
    const t = await started();
    const topic = t.fake.openTopic('Ops');
    await t.adapter.typing({
      platform: 'telegram',
      chatId: String(t.fake.forum.id),
      chatType: 'group',
      threadId: String(topic),
    });
    expect(t.fake.seen.chatActions.at(-1)).toEqual({
      chatId: t.fake.forum.id,
      action: 'typing',
      threadId: topic,
    });
    t.fake.sendText({ chat: t.fake.aliceDm, from: t.fake.alice, text: 'react to me' });
    const msg = await t.context.waitForReceived();
    await t.adapter.react!(msg.chat, msg.id, '✅');
    await t.adapter.react!(msg.chat, msg.id, '👀');
    expect(t.fake.seen.reactions.map((r) => r.emoji)).toEqual(['👍', '👀']);
  });

  it('TELEGRAM_REACTIONS=false removes react() and the capability', () => {
    const adapter = new TelegramAdapter({ token: '1:abc', reactions: false });
    expect(adapter.react).toBeUndefined();
    expect(adapter.capabilities.reactions).toBe(false);
  });

  it('registers configured commands at start and replaces them with setCommands()', async () => {
    const t = await started({ commands: [{ command: '/new', description: 'Start a new session' }] });
    await waitFor(() => t.fake.seen.commands.length > 0, { what: 'setMyCommands at start' });
    expect(t.fake.seen.commands).toEqual([{ command: 'new', description: 'Start a new session' }]);
    await t.adapter.setCommands([
      { command: 'status', description: 'Show the session' },
      { command: 'Stop', description: 'Stop the agent' },
    ]);
    expect(t.fake.seen.commands.map((c) => c.command)).toEqual(['status', 'stop']);
    await expect(t.adapter.setCommands([{ command: 'bad-name!', description: 'x' }])).rejects.toMatchObject({
      code: 'config_invalid',
    });
  });
});

describe('probe and start', () => {
  it('probe() checks the token with getMe', async () => {
    h = await createHarness();
    expect(await h.adapter.probe()).toMatchObject({ ok: true, identity: '@hermes_test_bot' });
    const wrong = h.newAdapter({ token: '123456789:wrongtoken' });
    const result = await wrong.probe();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('auth_failed');
    expect(!result.ok && result.fix).toMatch(/BotFather/);
  });

  it('start() with a revoked token fails with auth_failed and says how to fix it', async () => {
    h = await createHarness();
    const wrong = h.newAdapter({ token: '123456789:revokedtoken' });
    await expect(wrong.start(h.context.ctx)).rejects.toMatchObject({ code: 'auth_failed' });
    expect(h.context.statuses.at(-1)).toBe('failed');
    expect(JSON.stringify(h.context.logger.entries)).not.toContain('revokedtoken');
  });
});
