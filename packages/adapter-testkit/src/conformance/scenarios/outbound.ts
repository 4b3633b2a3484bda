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
