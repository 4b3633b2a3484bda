import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { InboundMessage } from '@hermes/adapter-core';
import { expect } from 'vitest';
import { sleep, withTimeout } from '../../wait-for.js';
import { sampleMedia } from '../fixtures.js';
import { type Scenario, type ScenarioRun, uniqueToken } from '../scenario.js';

const TEN_MINUTES = 10 * 60_000;

function receiveText({ harness, timeouts }: ScenarioRun, token: string): Promise<InboundMessage> {
  return harness.context.waitForReceived((m) => m.text.includes(token), timeouts.receiveMs);
}

/** Waits out the settle window, then counts how often a text arrived (must be once). */
async function countAfterSettle(s: ScenarioRun, token: string): Promise<number> {
  await sleep(s.timeouts.settleMs);
  return s.harness.context.received.filter((m) => m.text.includes(token)).length;
}

export const dmText: Scenario = {
  id: 'dm-text',
  title: 'DM text in: InboundMessage fields are right, delivered once',
  async run(s) {
    const { harness } = s;
    const text = `hello from a DM ${uniqueToken('dm')}`;
    await harness.deliverDm(text);
    const msg = await receiveText(s, text);
    expect(
      typeof msg.id === 'string' && msg.id.length > 0,
      'InboundMessage.id must be a non-empty string',
    ).toBe(true);
    expect(msg.chat.platform, 'chat.platform must equal adapter.platform').toBe(harness.adapter.platform);
    expect(msg.chat.chatType, 'a direct message must have chat.chatType "dm"').toBe('dm');
    expect(msg.chat.chatId, 'chat.chatId must be the DM chat the fake used').toBe(harness.chats.dm.chatId);
    expect(
      typeof msg.sender.id === 'string' && msg.sender.id.length > 0,
      'sender.id must be a non-empty string',
    ).toBe(true);
    if (harness.senderId !== undefined) expect(msg.sender.id, 'sender.id').toBe(harness.senderId);
    expect(msg.text.trim(), 'text must be the delivered text').toBe(text);
    expect(msg.receivedAt, 'receivedAt must be a Date').toBeInstanceOf(Date);
    const skew = Math.abs(msg.receivedAt.getTime() - Date.now());
    expect(skew, 'receivedAt must be close to now (seconds vs milliseconds mix-up?)').toBeLessThan(
      TEN_MINUTES,
    );
    expect(Array.isArray(msg.attachments), 'attachments must be an array').toBe(true);
    expect(msg.attachments, 'a text DM has no attachments').toHaveLength(0);
    expect(typeof msg.mentionsBot, 'mentionsBot must be a boolean').toBe('boolean');
    expect(msg.raw, 'raw must carry the platform payload').not.toBeUndefined();
    expect(await countAfterSettle(s, text), 'the DM must reach ctx.receive exactly once').toBe(1);
  },
};

export const groupMention: Scenario = {
  id: 'group-mention',
  title: 'group message with a bot mention: received with mentionsBot true, mention stripped',
  async run(s) {
    const { harness } = s;
    const text = `question for the bot ${uniqueToken('gm')}`;
    await harness.deliverGroup(text, { mention: true });
    const msg = await receiveText(s, text);
    expect(msg.chat.chatId, 'chat.chatId must be the group the fake used').toBe(harness.chats.group.chatId);
    expect(msg.chat.chatType, 'chat.chatType').toBe(harness.chats.group.chatType);
    expect(msg.mentionsBot, 'a message that mentions the bot must have mentionsBot true').toBe(true);
    expect(msg.text.trim(), 'the bot mention must be stripped from text').toBe(text);
  },
};

export const groupWithoutMention: Scenario = {
  id: 'group-without-mention',
  title: 'group message without a mention: handled as driver.groupRequiresMention says',
  async run(s) {
    const { harness, driver } = s;
    const plain = `chatter between humans ${uniqueToken('gn')}`;
    await harness.deliverGroup(plain, { mention: false });
    if (driver.groupRequiresMention === true) {
      // Same chat, so the mentioned message cannot overtake the plain one: once it is in, the plain one was dropped.
      const marker = `now addressed to the bot ${uniqueToken('gm')}`;
      await harness.deliverGroup(marker, { mention: true });
      await receiveText(s, marker);
      const leaked = harness.context.received.filter((m) => m.text.includes(plain));
      expect(
        leaked,
        'groupRequiresMention: a group message without a mention must not reach ctx.receive',
      ).toHaveLength(0);
      return;
    }
    const msg = await receiveText(s, plain);
    expect(msg.mentionsBot, 'a group message without a mention must have mentionsBot false').toBe(false);
    expect(msg.chat.chatId, 'chat.chatId').toBe(harness.chats.group.chatId);
    expect(msg.text.trim(), 'text').toBe(plain);
  },
};

export const threadReply: Scenario = {
  id: 'thread-reply',
  title: 'thread: inbound carries threadId, send with threadId lands in that thread',
  unsupported: (caps) => (caps && !caps.threads ? 'capabilities.threads is false' : undefined),
  async run(s) {
    const { harness } = s;
    expect(
      harness.deliverThread,
      'capabilities.threads is true: the harness must implement deliverThread()',
    ).toBeTypeOf('function');
    const text = `a question inside a thread ${uniqueToken('th')}`;
    await harness.deliverThread!(text);
    const msg = await receiveText(s, text);
    expect(msg.chat.threadId, 'a message inside a thread must carry chat.threadId').toBeTruthy();
    const expectedThread = harness.chats.thread?.threadId;
    if (expectedThread !== undefined) expect(msg.chat.threadId, 'chat.threadId').toBe(expectedThread);
    const reply = `answer in the thread ${uniqueToken('tr')}`;
    const result = await withTimeout(
      harness.adapter.send(msg.chat, { text: reply, threadId: msg.chat.threadId! }),
      s.timeouts.receiveMs,
      'adapter.send() into the thread',
    );
    expect(result, 'send into the thread must succeed').toMatchObject({ ok: true });
    const sent = (await harness.sentMessages()).filter((m) => m.text?.includes(reply));
    expect(sent, 'the fake must have received the thread reply once').toHaveLength(1);
    expect(sent[0]!.threadId, 'the reply must land in the same thread').toBe(
      expectedThread ?? msg.chat.threadId,
    );
  },
};

export const mediaIn: Scenario = {
  id: 'media-in',
  title: 'media in: attachment with the right kind, fetch() gives the same bytes',
  unsupported: (caps) =>
    caps && caps.media.receive.length === 0 ? 'capabilities.media.receive is empty' : undefined,
  async run(s) {
    const { harness } = s;
    const receive = harness.adapter.capabilities.media.receive;
    expect(
      harness.deliverMedia,
      'capabilities.media.receive is not empty: the harness must implement deliverMedia()',
    ).toBeTypeOf('function');
    const media = sampleMedia(receive.includes('image') ? 'image' : receive[0]!);
    await harness.deliverMedia!(media);
    const msg = await harness.context.waitForReceived((m) => m.attachments.length > 0, s.timeouts.receiveMs);
    const attachment = msg.attachments[0]!;
    expect(attachment.kind, 'attachment.kind').toBe(media.kind);
    const path = await withTimeout(attachment.fetch(), s.timeouts.receiveMs, 'attachment.fetch()');
    const inside = relative(harness.context.ctx.mediaCache.dir, path);
    expect(inside.startsWith('..') || inside === path, 'fetch() must download into ctx.mediaCache.dir').toBe(
      false,
    );
    expect(
      (await readFile(path)).equals(media.bytes),
      'the fetched file must have the bytes the platform sent',
    ).toBe(true);
  },
};
