import type { ChatRef } from '@hermes/adapter-core';
import { waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNEL, DM, type SlackTestRig, startRig } from './harness.js';

let rig: SlackTestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function markerIn(r: SlackTestRig, channel: string): Promise<void> {
  const marker = `marker ${Math.random().toString(36).slice(2)}`;
  r.fake.mention({ channel, text: marker });
  await r.context.waitForReceived((m) => m.text === marker, 5_000);
}

describe('slack threads', () => {
  it('a top-level mention is answered in a thread under it, and follow-ups there need no mention', async () => {
    rig = await startRig();
    const { fake, adapter, context } = rig;
    const [first] = fake.mention({ channel: CHANNEL, text: 'start a thread t1' });
    const msg = await context.waitForReceived((m) => m.text === 'start a thread t1', 5_000);
    expect(msg.chat.threadId).toBe((first!.payload['event'] as { ts: string }).ts);
    expect((await adapter.send(msg.chat, { text: 'reply t1' })).ok).toBe(true);
    expect(fake.posts.at(-1)).toMatchObject({
      channel: CHANNEL,
      threadTs: msg.chat.threadId,
      text: 'reply t1',
    });
    fake.message({ channel: CHANNEL, text: 'follow-up without mention t1', threadTs: msg.chat.threadId! });
    const follow = await context.waitForReceived((m) => m.text === 'follow-up without mention t1', 5_000);
    expect(follow.chat.threadId).toBe(msg.chat.threadId);
    expect(follow.mentionsBot).toBe(false);
    expect(follow.replyTo).toEqual({ id: msg.chat.threadId });
  });

  it('once the bot has spoken in a thread it answers there without a mention; other threads still need one', async () => {
    rig = await startRig();
    const { fake, adapter, context } = rig;
    const spoken = '1700000300.000100';
    const silent = '1700000301.000100';
    const chat: ChatRef = { platform: 'slack', chatId: CHANNEL, chatType: 'channel' };
    expect((await adapter.send(chat, { text: 'bot joins', threadId: spoken })).ok).toBe(true);
    fake.message({ channel: CHANNEL, text: 'in the spoken thread', threadTs: spoken });
    fake.message({ channel: CHANNEL, text: 'in the silent thread', threadTs: silent });
    await context.waitForReceived((m) => m.text === 'in the spoken thread', 5_000);
    await markerIn(rig, CHANNEL);
    expect(context.received.filter((m) => m.text === 'in the silent thread')).toHaveLength(0);
  });

  it('a mention inside a thread makes the bot a participant of that thread', async () => {
    rig = await startRig();
    const { fake, context } = rig;
    const thread = '1700000400.000100';
    fake.message({ channel: CHANNEL, text: 'before t3', threadTs: thread });
    fake.mention({ channel: CHANNEL, text: 'now with mention t3', threadTs: thread });
    fake.message({ channel: CHANNEL, text: 'after t3', threadTs: thread });
    await context.waitForReceived((m) => m.text === 'after t3', 5_000);
    expect(context.received.map((m) => m.text)).toEqual(['now with mention t3', 'after t3']);
  });

  it('the participation tracker is bounded: the least recent thread is forgotten first', async () => {
    rig = await startRig({ config: { participationLimit: 2 } });
    const { fake, adapter, context } = rig;
    const chat: ChatRef = { platform: 'slack', chatId: CHANNEL, chatType: 'channel' };
    for (const ts of ['1700000500.000001', '1700000500.000002', '1700000500.000003']) {
      expect((await adapter.send(chat, { text: 'x', threadId: ts })).ok).toBe(true);
    }
    expect(adapter.threads.size).toBe(2);
    fake.message({ channel: CHANNEL, text: 'oldest thread', threadTs: '1700000500.000001' });
    fake.message({ channel: CHANNEL, text: 'newest thread', threadTs: '1700000500.000003' });
    await context.waitForReceived((m) => m.text === 'newest thread', 5_000);
    await markerIn(rig, CHANNEL);
    expect(context.received.filter((m) => m.text === 'oldest thread')).toHaveLength(0);
  });

  it('!cmd in a thread reaches the host as /cmd; outside threads it is left alone', async () => {
    rig = await startRig();
    const { fake, context } = rig;
    const thread = '1700000600.000100';
    fake.mention({ channel: CHANNEL, text: '!status', threadTs: thread });
    fake.message({ channel: CHANNEL, text: '!model gpt-x', threadTs: thread });
    fake.message({ channel: DM, text: '!status' });
    await waitFor(() => context.received.length === 3, { timeoutMs: 5_000, what: 'three messages' });
    expect(context.received.map((m) => m.text)).toEqual(['/status', '/model gpt-x', '!status']);
  });

  it('replies with SLACK_REPLY_IN_THREAD=false go to the channel itself', async () => {
    rig = await startRig({ config: { replyInThread: false } });
    const { fake, adapter, context } = rig;
    fake.mention({ channel: CHANNEL, text: 'flat please' });
    const msg = await context.waitForReceived((m) => m.text === 'flat please', 5_000);
    expect(msg.chat.threadId).toBeUndefined();
    await adapter.send(msg.chat, { text: 'flat answer', replyTo: msg.id });
    expect(fake.posts.at(-1)?.threadTs).toBeUndefined();
  });

  it('the native /hermes slash command reaches the host as /<cmd>', async () => {
    rig = await startRig();
    const { fake, context } = rig;
    const delivery = fake.slashCommand({ command: '/hermes', text: 'status now', channel: CHANNEL });
    fake.slashCommand({ command: '/other', text: 'x', channel: CHANNEL });
    await delivery.done;
    const msg = await context.waitForReceived((m) => m.text === '/status now', 5_000);
    expect(msg.mentionsBot).toBe(true);
    expect(msg.chat.chatId).toBe(CHANNEL);
  });
});
