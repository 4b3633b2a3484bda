import { afterEach, describe, expect, it } from 'vitest';
import { wecomCapabilities } from './adapter.js';
import { wecomConfigFromEnv } from './config.js';
import { type Rig, sleep, startRig } from './test-support.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('WecomAdapter intake', () => {
  it('declares the WeCom limits: no editing, 4000 characters', () => {
    expect(wecomCapabilities).toMatchObject({
      edit: false,
      maxMessageLength: 4000,
      lengthUnit: 'char',
      markdown: 'markdown',
    });
  });

  it('accepts aibot_msg_callback and the legacy aibot_callback, ignores aibot_event_callback', async () => {
    rig = await startRig();
    rig.fake.deliver({ text: 'new name', from: 'alice' });
    rig.fake.deliver({ text: 'old name', from: 'bob' }, { cmd: 'aibot_callback' });
    rig.fake.deliverEvent('enter_chat', { from: { userid: 'carol' } });
    await rig.context.waitForReceived((m) => m.text === 'old name');
    await sleep(100);
    expect(rig.context.received.map((m) => m.text).sort()).toEqual(['new name', 'old name']);
    expect((rig.context.received.find((m) => m.text === 'old name')!.raw as { cmd: string }).cmd).toBe(
      'aibot_callback',
    );
  });

  it('builds the event: text, chat id (chatid or userid), chat type, sender, id = msgid', async () => {
    rig = await startRig();
    rig.fake.deliver({ msgid: 'dm-1', from: 'alice', text: 'hi' });
    rig.fake.deliver({
      msgid: 'g-1',
      from: 'bob',
      chatid: 'wrGroup',
      chattype: 'group',
      text: '@Bot hello all',
    });
    const dm = await rig.context.waitForReceived((m) => m.id === 'dm-1');
    const group = await rig.context.waitForReceived((m) => m.id === 'g-1');
    expect(dm).toMatchObject({
      chat: { chatId: 'alice', chatType: 'dm' },
      sender: { id: 'alice' },
      text: 'hi',
    });
    expect(group).toMatchObject({
      chat: { chatId: 'wrGroup', chatType: 'group' },
      sender: { id: 'bob' },
      text: 'hello all',
      mentionsBot: true,
    });
  });

  it('drops a redelivered msgid (dedupe window 1000 / 300 s)', async () => {
    rig = await startRig({ textBatching: false });
    for (let i = 0; i < 3; i++) rig.fake.deliver({ msgid: 'same', from: 'alice', text: `copy ${i}` });
    rig.fake.deliver({ msgid: 'other', from: 'alice', text: 'different' });
    await rig.context.waitForReceived((m) => m.text.includes('different'));
    await sleep(100);
    expect(rig.context.received.map((m) => [m.id, m.text])).toEqual([
      ['same', 'copy 0'],
      ['other', 'different'],
    ]);
    expect(rig.adapter.stats().dropped.duplicate).toBe(2);
  });

  it('WECOM_DM_POLICY=allowlist + WECOM_ALLOWED_USERS=alice hands alice and bob to the host, which decides once', async () => {
    const { dmPolicy } = wecomConfigFromEnv({
      WECOM_BOT_ID: 'b',
      WECOM_SECRET: 's',
      WECOM_DM_POLICY: 'allowlist',
      WECOM_ALLOWED_USERS: 'alice',
    });
    rig = await startRig({ dmPolicy });
    rig.fake.deliverText('from bob', { from: 'bob' });
    rig.fake.deliverText('from alice', { from: 'alice' });
    await rig.context.waitForReceived((m) => m.text === 'from alice');
    await rig.context.waitForReceived((m) => m.text === 'from bob');
    expect(rig.context.received.map((m) => m.sender.id).sort()).toEqual(['alice', 'bob']);
    expect(rig.adapter.stats().dropped.blocked).toBe(0);
    // bob's req_id was cached like alice's: the host's answer to him (a pairing code) goes out passively.
    const result = await rig.adapter.send(
      { platform: 'wecom', chatId: 'bob', chatType: 'dm' },
      { text: 'hello bob' },
    );
    expect(result.ok).toBe(true);
    expect(rig.fake.replies.at(-1)).toMatchObject({ via: 'respond', chatId: 'bob', content: 'hello bob' });
  });

  it('WECOM_DM_POLICY=disabled still drops DMs at intake: the platform policy stays in the adapter', async () => {
    rig = await startRig({ dmPolicy: 'disabled', textBatching: false });
    rig.fake.deliverText('a dm', { from: 'alice' });
    rig.fake.deliverText('in a group', { from: 'alice', chatId: 'wrG' });
    await rig.context.waitForReceived((m) => m.text === 'in a group');
    await rig.fake.waitUntil(() => rig!.adapter.stats().dropped.blocked === 1, 2_000, 'the DM to be dropped');
    expect(rig.context.received.map((m) => m.text)).toEqual(['in a group']);
  });

  it('group_policy pairing blocks group messages and does not cache their req_id', async () => {
    rig = await startRig({ groupPolicy: 'pairing' });
    rig.fake.deliverText('@Bot in a group', { from: 'alice', chatId: 'wrG' });
    rig.fake.deliverText('a dm', { from: 'alice' });
    await rig.context.waitForReceived((m) => m.text === 'a dm');
    await sleep(100);
    expect(rig.context.received).toHaveLength(1);
    expect(rig.adapter.stats().dropped.blocked).toBe(1);
    expect(rig.adapter.stats().replyTokens.chats).toBe(1);
  });

  it('batches the pieces of a split paste per chat and sender, and dispatches each batch once', async () => {
    rig = await startRig({ textBatchDelayMs: 150 });
    rig.fake.deliverText('piece one', { from: 'alice' });
    rig.fake.deliverText('piece two', { from: 'alice' });
    rig.fake.deliverText('other chat', { from: 'bob' });
    rig.fake.deliverText('piece three', { from: 'alice' });
    await rig.context.waitForReceived((m) => m.sender.id === 'alice');
    await rig.context.waitForReceived((m) => m.sender.id === 'bob');
    await sleep(300);
    const alice = rig.context.received.filter((m) => m.sender.id === 'alice');
    expect(alice).toHaveLength(1);
    expect(alice[0]!.text).toBe('piece one\npiece two\npiece three');
    expect(rig.context.received.filter((m) => m.sender.id === 'bob').map((m) => m.text)).toEqual([
      'other chat',
    ]);
  });

  it('waits the longer split delay after a piece at the 3900-character threshold', async () => {
    rig = await startRig({ textBatchDelayMs: 60, textBatchSplitDelayMs: 1_000 });
    rig.fake.deliverText('x'.repeat(3900), { from: 'alice' });
    await sleep(300); // far past the short delay, well inside the split delay
    rig.fake.deliverText('the tail of the paste', { from: 'alice' });
    const merged = await rig.context.waitForReceived((m) => m.text.endsWith('the tail of the paste'), 3_000);
    expect(merged.text).toBe(`${'x'.repeat(3900)}\nthe tail of the paste`);

    rig.fake.deliverText('short', { from: 'bob' });
    await sleep(300);
    rig.fake.deliverText('later', { from: 'bob' });
    await rig.context.waitForReceived((m) => m.text === 'later');
    expect(rig.context.received.filter((m) => m.sender.id === 'bob').map((m) => m.text)).toEqual([
      'short',
      'later',
    ]);
  });

  it('a batch delay of 0 hands every piece over alone and at once, even one at the split threshold', async () => {
    rig = await startRig({ textBatchDelayMs: 0, textBatchSplitDelayMs: 5_000 });
    const started = Date.now();
    rig.fake.deliverText('x'.repeat(3900), { from: 'alice' });
    rig.fake.deliverText('the tail of the paste', { from: 'alice' });
    await rig.context.waitForReceived((m) => m.text === 'the tail of the paste', 2_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(rig.context.received.map((m) => m.text.length)).toEqual([3900, 'the tail of the paste'.length]);
  });

  it('commands and media are not held back by batching', async () => {
    rig = await startRig({ textBatchDelayMs: 2_000 });
    const started = Date.now();
    rig.fake.deliverText('/status', { from: 'alice' });
    await rig.context.waitForReceived((m) => m.text === '/status', 1_500);
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
