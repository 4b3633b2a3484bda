import { readFile } from 'node:fs/promises';
import type { ChatRef } from '@hermes/adapter-core';
import { sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type Rig, rig } from '../test/harness.js';
import { locationMessage, textMessage, userMessage } from './testing/index.js';

const alice = { waId: '15550001111', name: 'Alice' };
const dm: ChatRef = { platform: 'whatsapp', chatId: alice.waId, chatType: 'dm' };
let r: Rig | undefined;

afterEach(async () => {
  await r?.close();
  r = undefined;
});

describe('whatsapp inbound: message types', () => {
  it('text: chat, sender name, quoted reply id; the user’s 24-hour window opens', async () => {
    r = await rig();
    await r.start();
    expect(r.adapter.customerWindowOpen(alice.waId)).toBe(false);
    await r.fake.deliverDm('hello there', alice, { contextId: 'wamid.quoted' });
    const msg = await r.context.waitForReceived();
    expect(msg.chat).toMatchObject({
      platform: 'whatsapp',
      chatId: alice.waId,
      chatType: 'dm',
      chatName: 'Alice',
    });
    expect(msg.sender).toEqual({ id: alice.waId, name: 'Alice' });
    expect(msg.replyTo).toEqual({ id: 'wamid.quoted' });
    expect(r.adapter.customerWindowOpen(alice.waId)).toBe(true);
  });

  it('image with caption, voice note, video, document and sticker: lazy attachments with the right kind and bytes', async () => {
    r = await rig();
    await r.start();
    const items = [
      {
        kind: 'image' as const,
        bytes: Buffer.from('png-bytes'),
        name: 'a.png',
        mime: 'image/png',
        caption: 'look',
      },
      { kind: 'voice' as const, bytes: Buffer.from('OggS voice'), name: 'v.ogg', mime: 'audio/ogg' },
      { kind: 'video' as const, bytes: Buffer.from('mp4 video'), name: 'v.mp4', mime: 'video/mp4' },
      {
        kind: 'file' as const,
        bytes: Buffer.from('%PDF-1.4 doc'),
        name: 'report.pdf',
        mime: 'application/pdf',
      },
      { kind: 'sticker' as const, bytes: Buffer.from('RIFF webp'), name: 's.webp', mime: 'image/webp' },
    ];
    for (const item of items) await r.fake.deliverMedia(item, alice);
    await waitFor(() => r!.context.received.length === items.length || undefined, {
      timeoutMs: 5_000,
      what: 'all media messages',
    });
    expect(
      r.fake.server.requests.filter((q) => q.path.startsWith('/media-files/')),
      'nothing is downloaded before fetch()',
    ).toHaveLength(0);
    for (const [i, item] of items.entries()) {
      const msg = r.context.received[i]!;
      const attachment = msg.attachments[0]!;
      expect(attachment.kind).toBe(item.kind);
      expect(attachment.mime).toBe(item.mime);
      if (item.kind === 'image') expect(msg.text).toBe('look');
      if (item.kind === 'file') expect(attachment.name).toBe('report.pdf');
      const path = await attachment.fetch();
      expect((await readFile(path)).equals(item.bytes)).toBe(true);
    }
    // The download carried the bearer token (the fake refuses it otherwise).
    expect(r.fake.server.requests.some((q) => q.path.startsWith('/media-files/'))).toBe(true);
  });

  it('location and contacts become readable text', async () => {
    r = await rig();
    await r.start();
    await r.fake.deliverMessage(
      locationMessage(
        { from: alice.waId },
        { latitude: 52.52, longitude: 13.405, name: 'Office', address: 'Berlin' },
      ),
      alice,
    );
    const contact = {
      ...textMessage({ from: alice.waId }, ''),
      type: 'contacts',
      text: undefined,
      contacts: [
        { name: { formatted_name: 'Bob Builder' }, phones: [{ phone: '+1 555 0102', wa_id: '15550102' }] },
      ],
    };
    await r.fake.deliverMessage(contact, alice);
    const loc = await r.context.waitForReceived((m) => m.text.startsWith('[Location'));
    expect(loc.text).toContain('Office, Berlin (52.52, 13.405)');
    expect(loc.text).toContain('https://maps.google.com/?q=52.52,13.405');
    const card = await r.context.waitForReceived((m) => m.text.startsWith('[Contact'));
    expect(card.text).toBe('[Contact: Bob Builder +1 555 0102]');
  });

  it('our own number’s messages (echoes) and system messages are not handed to the host', async () => {
    r = await rig();
    await r.start();
    await r.fake.deliverMessage(textMessage({ from: r.fake.displayPhoneNumber }, 'echo of the bot'), {
      waId: r.fake.displayPhoneNumber,
    });
    await r.fake.deliverMessage(
      userMessage({ from: alice.waId }, 'system', { body: 'number changed' }),
      alice,
    );
    await r.fake.deliverDm('a real one', alice);
    await r.context.waitForReceived((m) => m.text === 'a real one');
    expect(r.context.received).toHaveLength(1);
  });

  it('group: chat is the group id, a mention of the business number sets mentionsBot and is stripped', async () => {
    r = await rig();
    await r.start();
    await r.fake.deliverGroup('what time is it', { mention: true, groupId: 'Y2FwaV9ncm91cDox', user: alice });
    const msg = await r.context.waitForReceived();
    expect(msg.chat).toMatchObject({ chatId: 'Y2FwaV9ncm91cDox', chatType: 'group' });
    expect(msg.mentionsBot).toBe(true);
    expect(msg.text).toBe('what time is it');
  });

  it('reactions are recorded and dropped by default, delivered as text with deliverReactions', async () => {
    r = await rig();
    await r.start();
    await r.fake.deliverReaction({ messageId: 'wamid.bot-1', emoji: '👍' }, alice);
    await sleep(100);
    expect(r.context.received).toHaveLength(0);
    await r.close();
    r = await rig({ config: { deliverReactions: true } });
    await r.start();
    await r.fake.deliverReaction({ messageId: 'wamid.bot-1', emoji: '👍' }, alice);
    const msg = await r.context.waitForReceived();
    expect(msg.text).toBe('[reacted 👍]');
    expect(msg.replyTo).toEqual({ id: 'wamid.bot-1' });
  });
});

describe('whatsapp inbound: button presses (approvals)', () => {
  it('a reply-button press is marked read and handed over as an InboundAction; settling answers later presses itself', async () => {
    r = await rig({ openWindows: [alice.waId] });
    await r.start();
    const sent = await r.adapter.send(dm, {
      text: 'Run `rm -rf build`?',
      actions: [
        { id: 'approve:1', label: 'Approve', style: 'primary' },
        { id: 'deny:1', label: 'Deny', style: 'danger' },
      ],
    });
    expect(sent.ok).toBe(true);
    const carrier = sent.ok ? sent.messageIds.at(-1)! : '';
    const pressId = await r.fake.deliverPress(
      { contextId: carrier, id: 'approve:1', title: 'Approve' },
      alice,
    );
    const action = await r.context.waitForAction();
    expect(action).toMatchObject({
      id: pressId,
      messageId: carrier,
      actionId: 'approve:1',
      chat: dm,
      sender: { id: alice.waId },
    });
    await waitFor(() => r!.fake.reads().find((x) => x.messageId === pressId), {
      timeoutMs: 5_000,
      what: 'the read receipt of the press',
    });
    expect(r.context.received).toHaveLength(0);

    const settled = await r.adapter.settleActions(dm, carrier, '✅ Approved by Alice');
    expect(settled.ok).toBe(true);
    const outcome = r.fake.sentMessages().find((m) => m.text === '✅ Approved by Alice');
    expect(outcome?.replyTo).toBe(carrier);
    await r.fake.deliverPress({ contextId: carrier, id: 'deny:1', title: 'Deny' }, alice);
    await waitFor(
      () => r!.fake.sentMessages().filter((m) => m.text === '✅ Approved by Alice').length === 2 || undefined,
      {
        timeoutMs: 5_000,
        what: 'the outcome sent again for the late press',
      },
    );
    expect(r.context.actions).toHaveLength(1);
  });

  it('a list-row press is an InboundAction too; a host without receiveAction gets the label as text', async () => {
    r = await rig({ openWindows: [alice.waId] });
    await r.start();
    await r.fake.deliverPress(
      { contextId: 'wamid.list-1', id: 'model:gpt', title: 'GPT', list: true },
      alice,
    );
    expect((await r.context.waitForAction()).actionId).toBe('model:gpt');
    await r.close();
    r = await rig();
    delete r.context.ctx.receiveAction;
    await r.start();
    await r.fake.deliverPress({ contextId: 'wamid.btn-9', id: 'approve:9', title: 'Approve' }, alice);
    const msg = await r.context.waitForReceived();
    expect(msg.text).toBe('Approve');
    expect(msg.replyTo).toEqual({ id: 'wamid.btn-9' });
  });
});
