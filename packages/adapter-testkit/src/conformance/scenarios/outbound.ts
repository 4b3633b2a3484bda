import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureLength } from '@hermes/adapter-core';
import { expect } from 'vitest';
import { withTimeout } from '../../wait-for.js';
import { firstMissingWord, longMarkdown, tinyPng } from '../fixtures.js';
import { type Scenario, uniqueToken } from '../scenario.js';

export const longReplySplit: Scenario = {
  id: 'long-reply-split',
  title: 'long reply: split into several messages, each within the limit in the adapter unit, no word lost',
  async run(s) {
    const { harness, timeouts } = s;
    const { maxMessageLength: limit, lengthUnit: unit, markdown } = harness.adapter.capabilities;
    const long = longMarkdown(limit, unit);
    const result = await withTimeout(
      harness.adapter.send(harness.chats.dm, { text: long.text }),
      timeouts.receiveMs * 4,
      'adapter.send() of a long reply',
    );
    if (!result.ok)
      throw new Error(`send of a long reply failed: ${result.error.code}: ${result.error.message}`);
    const sent = (await harness.sentMessages()).filter((m) => m.chatId === harness.chats.dm.chatId);
    expect(
      sent.length,
      `a text of about 3.5 x ${limit} ${unit} must arrive as several messages`,
    ).toBeGreaterThanOrEqual(3);
    expect(result.messageIds, 'SendResult.messageIds must list one id per message sent').toHaveLength(
      sent.length,
    );
    sent.forEach((m, i) => {
      const length = measureLength(m.text ?? '', unit);
      expect(
        length,
        `message ${i + 1} of ${sent.length} is ${length} ${unit}, over the limit of ${limit}`,
      ).toBeLessThanOrEqual(limit);
      if (markdown === 'markdown') {
        const fences = (m.text ?? '').split('\n').filter((line) => line.trimStart().startsWith('```')).length;
        expect(fences % 2, `message ${i + 1} has an unclosed code fence`).toBe(0);
      }
    });
    const joined = sent.map((m) => m.text ?? '').join('\n');
    const missing = firstMissingWord(joined, long.words);
    expect(
      missing,
      missing < 0
        ? ''
        : `word ${long.words[missing]} (#${missing + 1} of ${long.words.length}) is missing or out of order`,
    ).toBe(-1);
  },
};

export const mediaOut: Scenario = {
  id: 'media-out',
  title: 'media out: an image file is uploaded to the chat',
  unsupported: (caps) =>
    caps && !caps.media.send.includes('image')
      ? "capabilities.media.send does not include 'image'"
      : undefined,
  async run(s) {
    const { harness, timeouts } = s;
    const dir = await mkdtemp(join(tmpdir(), 'hermes-conformance-out-'));
    try {
      const png = tinyPng();
      const name = `${uniqueToken('img')}.png`;
      const path = join(dir, name);
      await writeFile(path, png);
      const result = await withTimeout(
        harness.adapter.send(harness.chats.dm, { media: [{ kind: 'image', path, mime: 'image/png', name }] }),
        timeouts.receiveMs,
        'adapter.send() of an image',
      );
      if (!result.ok)
        throw new Error(`send of an image failed: ${result.error.code}: ${result.error.message}`);
      expect(
        result.messageIds.length,
        'SendResult.messageIds must name the media message',
      ).toBeGreaterThanOrEqual(1);
      const uploads = (await harness.sentMessages()).filter((m) => m.mediaName !== undefined);
      expect(uploads, 'the fake must have received exactly one media upload').toHaveLength(1);
      const upload = uploads[0]!;
      expect(upload.chatId, 'the image must go to the DM chat').toBe(harness.chats.dm.chatId);
      expect(upload.mediaName, 'the upload must keep the file name').toBe(name);
      if (upload.mediaBytes !== undefined) {
        expect(upload.mediaBytes.equals(png), 'the uploaded bytes must equal the file').toBe(true);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

export const idempotentSend: Scenario = {
  id: 'idempotent-send',
  title:
    'idempotent send: the same reply sent again with its idempotency key shows once, split parts included',
  unsupported: (caps) =>
    caps && !caps.idempotentSend ? 'capabilities.idempotentSend is not set' : undefined,
  async run(s) {
    const { harness, timeouts } = s;
    const { maxMessageLength: limit, lengthUnit: unit } = harness.adapter.capabilities;
    const chat = harness.chats.dm;
    const inChat = async () => (await harness.sentMessages()).filter((m) => m.chatId === chat.chatId);
    // Long enough to be split: every part must carry its own key, or the platform would drop parts 2..n.
    const long = longMarkdown(limit, unit);
    const reply = { text: long.text, idempotencyKey: uniqueToken('idem') };
    const send = (label: string) =>
      withTimeout(harness.adapter.send(chat, reply), timeouts.receiveMs * 4, `adapter.send() ${label}`);
    const first = await send('of a keyed reply');
    if (!first.ok) throw new Error(`keyed send failed: ${first.error.code}: ${first.error.message}`);
    const afterFirst = await inChat();
    expect(afterFirst.length, 'the keyed reply arrives split, as any long reply').toBeGreaterThanOrEqual(3);
    const again = await send('of the same reply again, same key');
    if (!again.ok) throw new Error(`repeated keyed send failed: ${again.error.code}: ${again.error.message}`);
    expect(
      (await inChat()).length,
      'the same key sent again must create no message (the platform dedupes on it)',
    ).toBe(afterFirst.length);
    expect(again.messageIds, 'the repeat names the messages the first send created').toEqual(
      first.messageIds,
    );
    const other = await withTimeout(
      harness.adapter.send(chat, { text: 'a new reply', idempotencyKey: uniqueToken('idem') }),
      timeouts.receiveMs,
      'adapter.send() of a new reply with its own key',
    );
    if (!other.ok) throw new Error(`send with a new key failed: ${other.error.code}: ${other.error.message}`);
    expect((await inChat()).length, 'a new key is a new message').toBe(afterFirst.length + 1);
  },
};
