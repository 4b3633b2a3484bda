import { readFile } from 'node:fs/promises';
import { sleep } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelegramConfigInput } from '../src/index.js';
import { createHarness, type TelegramHarness } from './harness.js';

let h: TelegramHarness | undefined;

async function started(config: Partial<TelegramConfigInput> = {}): Promise<TelegramHarness> {
  h = await createHarness({ config });
  await h.adapter.start(h.context.ctx);
  return h;
}

/** A DM sent after the messages under test: once it is in, everything before it was handled. */
async function marker(t: TelegramHarness, text = `marker ${Math.random()}`): Promise<void> {
  t.fake.sendText({ chat: t.fake.aliceDm, from: t.fake.alice, text });
  await t.context.waitForReceived((m) => m.text === text, 5_000);
}

afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('mention rules in groups (TELEGRAM_REQUIRE_MENTION)', () => {
  it('drops unaddressed chatter and takes @mentions, replies to the bot, patterns and commands', async () => {
    const t = await started({ requireMention: true, mentionPatterns: ['^hermes[,:]'] });
    const { fake } = t;
    fake.sendText({ chat: fake.group, from: fake.alice, text: 'humans talking' });
    fake.sendText({ chat: fake.group, from: fake.alice, text: 'what time is it?', mentionBot: true });
    fake.sendText({ chat: fake.group, from: fake.alice, text: 'Hermes, summarise please' });
    fake.sendCommand({ chat: fake.group, from: fake.alice, command: 'status' });
    fake.sendCommand({
      chat: fake.group,
      from: fake.alice,
      command: 'model',
      args: 'gpt',
      addressedTo: fake.bot.username!,
    });
    fake.sendCommand({ chat: fake.group, from: fake.alice, command: 'status', addressedTo: 'other_bot' });
    // The bot's own earlier message, then a reply to it without any mention.
    const sent = await t.adapter.send(
      { platform: 'telegram', chatId: String(fake.group.id), chatType: 'group' },
      { text: 'I am here' },
    );
    expect(sent.ok).toBe(true);
    const botMessage = fake.sent.at(-1)!.message;
    fake.sendText({ chat: fake.group, from: fake.bob, text: 'thanks bot', replyTo: botMessage });
    await marker(t);
    const texts = t.context.received
      .filter((m) => m.chat.chatType === 'group')
      .map((m) => [m.text, m.mentionsBot]);
    expect(texts).toEqual([
      ['what time is it?', true],
      ['Hermes, summarise please', true],
      ['/status', false],
      ['/model gpt', true],
      ['thanks bot', true],
    ]);
    const reply = t.context.received.find((m) => m.text === 'thanks bot')!;
    expect(reply.replyTo).toEqual({ id: String(botMessage.message_id), text: 'I am here' });
  });

  it('without TELEGRAM_REQUIRE_MENTION, group chatter arrives with mentionsBot false', async () => {
    const t = await started({ requireMention: false });
    t.fake.sendText({ chat: t.fake.group, from: t.fake.alice, text: 'plain group talk' });
    const msg = await t.context.waitForReceived((m) => m.text === 'plain group talk');
    expect(msg.mentionsBot).toBe(false);
    expect(msg.chat).toMatchObject({
      chatType: 'group',
      chatId: String(t.fake.group.id),
      chatName: 'Test group',
    });
  });

  it('strips the mention wherever it is, and a text_mention of the bot counts', async () => {
    const t = await started({ requireMention: true });
    const { fake } = t;
    const text = 'ask @hermes_test_bot about 🙂 this';
    const offset = text.indexOf('@');
    fake.sendText({
      chat: fake.group,
      from: fake.alice,
      text,
      entities: [{ type: 'mention', offset, length: '@hermes_test_bot'.length }],
    });
    fake.sendText({
      chat: fake.group,
      from: fake.alice,
      text: 'Hermes tell me more',
      entities: [{ type: 'text_mention', offset: 0, length: 6, user: fake.bot }],
    });
    await marker(t);
    const groupTexts = t.context.received.filter((m) => m.chat.chatType === 'group').map((m) => m.text);
    expect(groupTexts).toEqual(['ask about 🙂 this', 'tell me more']);
  });
});

describe('group allowlists (TELEGRAM_GROUP_ALLOWED_USERS / _CHATS)', () => {
  it('only allowed users in allowed chats get through; usernames match too', async () => {
    const t = await started({ groupAllowedUsers: ['@alice'], groupAllowedChats: [String(-1001000000001)] });
    const { fake } = t;
    fake.sendText({ chat: fake.group, from: fake.alice, text: 'alice in the allowed group' });
    fake.sendText({ chat: fake.group, from: fake.bob, text: 'bob is not allowed' });
    fake.sendText({ chat: fake.forum, from: fake.alice, text: 'alice in another group' });
    await marker(t);
    const texts = t.context.received.map((m) => m.text);
    expect(texts).toContain('alice in the allowed group');
    expect(texts).not.toContain('bob is not allowed');
    expect(texts).not.toContain('alice in another group');
  });
});

describe('threads, replies and senders', () => {
  it('forum topics become threadId; the topic root is not a reply; quotes are kept', async () => {
    const t = await started();
    const { fake } = t;
    const topic = fake.openTopic('Bugs');
    const first = fake.sendText({
      chat: fake.forum,
      from: fake.alice,
      text: 'inside the topic',
      threadId: topic,
    });
    fake.sendText({
      chat: fake.forum,
      from: fake.bob,
      text: 'answering alice',
      threadId: topic,
      replyTo: first.message,
      quote: 'the topic',
    });
    await marker(t);
    const inTopic = t.context.received.find((m) => m.text === 'inside the topic')!;
    expect(inTopic.chat.threadId).toBe(String(topic));
    expect(inTopic.replyTo).toBeUndefined();
    const answer = t.context.received.find((m) => m.text === 'answering alice')!;
    expect(answer.replyTo).toEqual({ id: String(first.message.message_id), text: 'the topic' });
    expect(answer.sender).toEqual({ id: String(fake.bob.id), name: 'Bob', altId: 'bob_b', isBot: false });
  });

  it('messages from bots (other bots and itself) are filtered; other update types are ignored', async () => {
    const t = await started();
    const { fake } = t;
    fake.sendText({ chat: fake.group, from: fake.otherBot, text: 'beep from another bot' });
    fake.sendText({ chat: fake.group, from: fake.bot, text: 'my own echo' });
    fake.pushUpdate({ edited_message: { message_id: 1, date: 0, chat: fake.aliceDm, text: 'edited' } });
    await marker(t);
    expect(t.context.received.map((m) => m.text)).toHaveLength(1);
  });
});

describe('media in', () => {
  it('an album is merged into one message with every attachment, downloadable', async () => {
    const t = await started();
    const { fake } = t;
    const bytes = [Buffer.from('first image bytes'), Buffer.from('second image'), Buffer.from('third')];
    fake.sendAlbum({
      chat: fake.aliceDm,
      from: fake.alice,
      caption: 'holiday pictures',
      items: bytes.map((data) => ({ kind: 'photo' as const, data })),
    });
    const msg = await t.context.waitForReceived((m) => m.attachments.length > 0, 5_000);
    await sleep(400);
    expect(t.context.received.filter((m) => m.attachments.length > 0)).toHaveLength(1);
    expect(msg.text).toBe('holiday pictures');
    expect(msg.attachments.map((a) => a.kind)).toEqual(['image', 'image', 'image']);
    for (const [i, attachment] of msg.attachments.entries()) {
      expect(await readFile(await attachment.fetch())).toEqual(bytes[i]);
    }
    expect(Array.isArray(msg.raw)).toBe(true);
  });

  it('voice, audio and documents keep their kinds; the token never reaches the log', async () => {
    const t = await started();
    const { fake } = t;
    const ogg = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(40, 1)]);
    fake.sendMedia({ chat: fake.aliceDm, from: fake.alice, kind: 'voice', data: ogg });
    fake.sendMedia({
      chat: fake.aliceDm,
      from: fake.alice,
      kind: 'audio',
      data: Buffer.from('ID3 mp3'),
      name: 'song.mp3',
      mime: 'audio/mpeg',
    });
    fake.sendMedia({
      chat: fake.aliceDm,
      from: fake.alice,
      kind: 'document',
      data: Buffer.from('%PDF-1.4'),
      name: 'report.pdf',
      mime: 'application/pdf',
    });
    await marker(t);
    const kinds = t.context.received
      .filter((m) => m.attachments.length > 0)
      .map((m) => [m.attachments[0]!.kind, m.attachments[0]!.name]);
    expect(kinds[0]![0]).toBe('voice');
    expect(kinds.slice(1)).toEqual([
      ['audio', 'song.mp3'],
      ['file', 'report.pdf'],
    ]);
    const voice = t.context.received.find((m) => m.attachments[0]?.kind === 'voice')!;
    expect(await readFile(await voice.attachments[0]!.fetch())).toEqual(ogg);
    // A file that vanished on the server: the error names no URL, hence no token.
    fake.sendMedia({
      chat: fake.aliceDm,
      from: fake.alice,
      kind: 'document',
      data: Buffer.from('x'),
      name: 'gone.txt',
    });
    const gone = await t.context.waitForReceived((m) => m.attachments[0]?.name === 'gone.txt');
    fake.faults.next({ kind: 'status', status: 400, description: 'Bad Request: invalid file_id' }, 1, {
      method: 'getFile',
    });
    const error = await gone.attachments[0]!.fetch().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/getFile failed: 400/);
    expect(JSON.stringify(t.context.logger.entries) + String(error?.message)).not.toContain(
      fake.token.split(':')[1],
    );
  });
});

describe('text batching of split pastes', () => {
  it('pieces of a long paste arrive as one message; a command is not held back', async () => {
    const t = await started({
      textBatching: true,
      textBatchDelayMs: 150,
      textBatchSplitDelayMs: 400,
      textBatchSplitThreshold: 100,
    });
    const { fake } = t;
    const partOne = 'a'.repeat(120);
    fake.sendText({ chat: fake.aliceDm, from: fake.alice, text: partOne });
    await sleep(200); // longer than the short delay, shorter than the split delay
    fake.sendText({ chat: fake.aliceDm, from: fake.alice, text: 'and the tail' });
    const merged = await t.context.waitForReceived((m) => m.text.startsWith('aaa'), 3_000);
    expect(merged.text).toBe(`${partOne}\nand the tail`);
    fake.sendCommand({ chat: fake.aliceDm, from: fake.alice, command: 'stop' });
    await t.context.waitForReceived((m) => m.text === '/stop', 1_000);
    expect(t.context.received).toHaveLength(2);
  });
});

describe('malformed updates', () => {
  it('are logged and skipped; the offset moves past them and later messages still arrive', async () => {
    const t = await started();
    const { fake } = t;
    const ids = [
      fake.pushUpdate({ message: { message_id: 'one', chat: { id: 1 }, text: 5 } }),
      fake.pushUpdate({ message: null }),
      fake.pushRaw({ update_id: 'seven', message: {} }),
      fake.pushRaw('just a string'),
    ];
    await marker(t, 'after the garbage');
    expect(t.context.received.map((m) => m.text)).toEqual(['after the garbage']);
    expect(t.context.logger.find('warn', 'malformed Telegram update').length).toBeGreaterThanOrEqual(4);
    expect(t.adapter.committedOffset).toBeGreaterThan(Math.max(...ids));
    expect(t.context.statuses).not.toContain('failed');
  });

  it('a garbage body and a 5xx on getUpdates are survived with a reconnect', async () => {
    const t = await started();
    const { fake } = t;
    fake.faults.next({ kind: 'garbage' }, 1, { method: 'getUpdates' });
    fake.faults.next({ kind: 'status', status: 502, description: 'Bad Gateway' }, 1, {
      method: 'getUpdates',
    });
    fake.dropPolls();
    await marker(t, 'still here');
    expect(t.context.logger.find('warn', 'connection dropped').length).toBeGreaterThanOrEqual(1);
    expect(t.context.statuses).toContain('reconnecting');
  });
});
