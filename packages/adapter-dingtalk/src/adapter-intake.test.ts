import { readFile } from 'node:fs/promises';
import { waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type Rig, sleep, startRig } from './test-support.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const GROUP = 'cidTeamRoom';

describe('dingtalk intake over the Stream socket', () => {
  it('a DM is keyed by the staff id, with the sender id as id and the staff id as altId', async () => {
    rig = await startRig();
    const msgId = await rig.fake.deliverDm('hello there', { staffId: 'bob' });
    const msg = await rig.context.waitForReceived((m) => m.text === 'hello there', 5_000);
    expect(msg.id).toBe(msgId);
    expect(msg.chat).toEqual({ platform: 'dingtalk', chatId: 'bob', chatType: 'dm', chatName: 'Bob' });
    expect(msg.sender).toEqual({
      id: rig.fake.user('bob').senderId,
      name: 'Bob',
      altId: 'bob',
      isBot: false,
    });
    expect(msg.mentionsBot).toBe(true);
  });

  it('acknowledges every frame, and a redelivered msgId reaches the host once', async () => {
    rig = await startRig();
    await rig.fake.deliverDm('first copy', { msgId: 'msg-dup' });
    await rig.fake.deliverDm('second copy', { msgId: 'msg-dup' });
    await rig.fake.deliverDm('marker');
    await rig.context.waitForReceived((m) => m.text === 'marker', 5_000);
    await waitFor(() => rig!.fake.streamStats().unacked === 0, {
      timeoutMs: 5_000,
      what: 'every frame acked',
    });
    expect(rig.context.received.map((m) => m.text)).toEqual(['first copy', 'marker']);
    expect(rig.adapter.stats().dropped.duplicate).toBe(1);
  });

  it('without DINGTALK_REQUIRE_MENTION a group message without a mention arrives with mentionsBot false', async () => {
    rig = await startRig();
    await rig.fake.deliverGroup('just chatting', { mention: false, conversationId: GROUP, title: 'Team' });
    const msg = await rig.context.waitForReceived((m) => m.text === 'just chatting', 5_000);
    expect(msg.chat).toEqual({ platform: 'dingtalk', chatId: GROUP, chatType: 'group', chatName: 'Team' });
    expect(msg.mentionsBot).toBe(false);
  });

  it('with DINGTALK_REQUIRE_MENTION only isInAtList, a mention pattern or a free-response chat passes', async () => {
    rig = await startRig({
      requireMention: true,
      mentionPatterns: ['^hermes\\b'],
      freeResponseChats: ['cidFree'],
    });
    await rig.fake.deliverGroup('ignored chatter', { mention: false, conversationId: GROUP });
    await rig.fake.deliverGroup('Hermes, what time is it', { mention: false, conversationId: GROUP });
    await rig.fake.deliverGroup('asked with @', { mention: true, conversationId: GROUP });
    await rig.fake.deliverGroup('free talk', { mention: false, conversationId: 'cidFree' });
    await rig.context.waitForReceived((m) => m.text === 'free talk', 5_000);
    await sleep(100);
    const got = rig.context.received.map((m) => [m.text, m.mentionsBot]);
    expect(got).toEqual([
      ['Hermes, what time is it', true],
      ['asked with @', true],
      ['free talk', false],
    ]);
    expect(rig.adapter.stats().dropped.gated).toBe(1);
  });

  it('DINGTALK_ALLOWED_CHATS drops other groups but not DMs', async () => {
    rig = await startRig({ allowedChats: ['cidAllowed'] });
    await rig.fake.deliverGroup('from elsewhere', { mention: true, conversationId: 'cidOther' });
    await rig.fake.deliverGroup('from the allowed group', { mention: true, conversationId: 'cidAllowed' });
    await rig.fake.deliverDm('a dm');
    await rig.context.waitForReceived((m) => m.text === 'a dm', 5_000);
    await sleep(100);
    expect(rig.context.received.map((m) => m.text).sort()).toEqual(['a dm', 'from the allowed group']);
  });

  it('picture, richText, audio and file messages carry lazy attachments that download the bytes', async () => {
    rig = await startRig();
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const pic = rig.fake.hostFile(png, { mime: 'image/png' });
    const inline = rig.fake.hostFile(png, { mime: 'image/png' });
    const voice = rig.fake.hostFile(Buffer.from('#!AMR\n....'), { mime: 'audio/amr' });
    const doc = rig.fake.hostFile(Buffer.from('%PDF-1.4 report'), { mime: 'application/pdf' });
    await rig.fake.deliverContent({ msgtype: 'picture', downloadCode: pic });
    await rig.fake.deliverContent({
      msgtype: 'richText',
      parts: [{ text: 'look at this' }, { downloadCode: inline }, { text: 'and this line' }],
    });
    await rig.fake.deliverContent({ msgtype: 'audio', downloadCode: voice, recognition: '明天开会' });
    await rig.fake.deliverContent({ msgtype: 'file', downloadCode: doc, fileName: 'report.pdf' });
    await waitFor(() => rig!.context.received.length === 4, { timeoutMs: 5_000, what: 'four messages' });
    const [picture, rich, audio, file] = rig.context.received;
    expect(picture!.attachments.map((a) => a.kind)).toEqual(['image']);
    expect(picture!.text).toBe('');
    expect(rich!.text).toBe('look at this\nand this line');
    expect(rich!.attachments.map((a) => a.kind)).toEqual(['image']);
    expect(audio!.text).toBe('明天开会');
    expect(audio!.attachments.map((a) => a.kind)).toEqual(['voice']);
    expect(audio!.attachments[0]!.transcript).toBe('明天开会');
    expect(file!.attachments[0]).toMatchObject({ kind: 'file', name: 'report.pdf' });
    // Nothing was downloaded before fetch().
    expect(rig.fake.server.requests.filter((r) => r.path.startsWith('/files/'))).toHaveLength(0);
    expect((await readFile(await picture!.attachments[0]!.fetch())).equals(png)).toBe(true);
    const pdf = await readFile(await file!.attachments[0]!.fetch());
    expect(pdf.toString()).toBe('%PDF-1.4 report');
    const resolve = rig.fake.server.requests.filter((r) => r.path === '/v1.0/robot/messageFiles/download');
    expect(resolve.map((r) => r.json<{ robotCode: string }>().robotCode)).toEqual([
      rig.fake.robotCode,
      rig.fake.robotCode,
    ]);
  });

  it('the download URL DingTalk hands out goes through the SSRF guard: loopback refused unless allowed', async () => {
    rig = await startRig({ allowPrivateMedia: false });
    const code = rig.fake.hostFile(Buffer.from('secret'), { mime: 'image/png' });
    await rig.fake.deliverContent({ msgtype: 'picture', downloadCode: code });
    const msg = await rig.context.waitForReceived((m) => m.attachments.length === 1, 5_000);
    await expect(msg.attachments[0]!.fetch()).rejects.toThrow(/private|loopback/i);
    expect(rig.fake.server.requests.filter((r) => r.path.startsWith('/files/'))).toHaveLength(0);
  });
});
