import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatRef } from '@hermes/adapter-core';
import { createTestContext, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { FeishuAdapter } from './adapter.js';
import { fakeConfig, type Rig, sleep, startRig } from './test-support.js';
import { startFakeFeishuServer } from './testing/index.js';

const group: ChatRef = { platform: 'feishu', chatId: 'oc_group_feat', chatType: 'group' };
let rig: Rig | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  for (const c of cleanups.splice(0)) await c();
});

describe('feishu card buttons', () => {
  it('actions render as card buttons; a press is acked with a toast and handed over once; settle removes the buttons', async () => {
    rig = await startRig();
    const asked = await rig.fake.deliverGroup('deploy?', {
      mention: true,
      chatId: group.chatId,
      fromUserId: 'ou_ada',
    });
    const inbound = await rig.context.waitForReceived((m) => m.id === asked, 5_000);
    const sent = await rig.adapter.send(inbound.chat, {
      text: 'Approve the deploy?',
      actions: [
        { id: 'approve_once', label: 'Approve', style: 'primary' },
        { id: 'deny', label: 'Deny', style: 'danger' },
      ],
    });
    if (!sent.ok) throw new Error(sent.error.message);
    const cardId = sent.messageIds[0]!;
    expect(rig.fake.sentMessages()[0]).toMatchObject({
      msgType: 'interactive',
      buttons: ['approve_once', 'deny'],
    });

    const pressId = rig.fake.pressButton(cardId, 'approve_once', { fromUserId: 'ou_ada' });
    await waitFor(() => rig!.context.actions.length === 1, {
      timeoutMs: 5_000,
      what: 'the press to reach the host',
    });
    const action = rig.context.actions[0]!;
    await waitFor(() => rig!.fake.ackOfPress(pressId), { timeoutMs: 5_000, what: 'the ack of the press' });
    expect(rig.fake.ackOfPress(pressId)!.response).toEqual({ toast: { type: 'info', content: 'Received' } });
    expect(action).toMatchObject({
      id: pressId,
      actionId: 'approve_once',
      messageId: cardId,
      sender: { id: 'ou_ada' },
      chat: { chatId: group.chatId, chatType: 'group' },
    });

    // Feishu retries a callback it thinks failed: the same event id is not handed over twice.
    rig.fake.pressButton(cardId, 'approve_once', { fromUserId: 'ou_ada', eventId: pressId });
    await sleep(300);
    expect(rig.context.actions).toHaveLength(1);

    const settled = await rig.adapter.settleActions(inbound.chat, cardId, '✅ Approved by Ada');
    expect(settled.ok).toBe(true);
    const patch = rig.fake.edits.at(-1)!;
    expect(patch).toMatchObject({ messageId: cardId, method: 'PATCH' });
    expect(patch.text).toContain('Approve the deploy?');
    expect(patch.text).toContain('✅ Approved by Ada');
    expect(JSON.stringify(patch.raw)).not.toContain('approve_once');
  });

  it('a press on a card of another app is ignored', async () => {
    rig = await startRig();
    const body = {
      schema: '2.0',
      header: {
        event_id: 'ev_x',
        event_type: 'card.action.trigger',
        app_id: 'cli_ffffffffffffffff',
        create_time: '1',
      },
      event: {
        operator: { open_id: 'ou_eve' },
        action: { value: { hermes_action: 'approve_once' } },
        context: { open_message_id: 'om_x', open_chat_id: 'oc_x' },
      },
    };
    rig.fake.deliverEvent(body);
    await waitFor(() => rig!.context.logger.find('warn').some((e) => /card action/.test(e.msg)), {
      timeoutMs: 5_000,
      what: 'the ignored press to be logged',
    });
    expect(rig.context.actions).toHaveLength(0);
  });
});

describe('feishu inbound extras', () => {
  it('an event for another app_id is ignored and logged (the wrong app must not reply)', async () => {
    rig = await startRig();
    await rig.fake.deliverDm('for the other bot', { appId: 'cli_ffffffffffffffff' });
    await rig.fake.deliverDm('for us');
    await rig.context.waitForReceived((m) => m.text === 'for us', 5_000);
    expect(rig.context.received.map((m) => m.text)).toEqual(['for us']);
    expect(rig.adapter.stats().dropped.otherApp).toBe(1);
  });

  it('message_id dedupe survives a restart of the adapter', async () => {
    const fake = await startFakeFeishuServer();
    const stateDir = await mkdtemp(join(tmpdir(), 'feishu-state-'));
    cleanups.push(
      () => fake.close(),
      () => rm(stateDir, { recursive: true, force: true }),
    );
    const first = createTestContext();
    cleanups.push(() => first.cleanup());
    const a = new FeishuAdapter(fakeConfig(fake, { stateDir }));
    await a.start(first.ctx);
    await fake.deliverDm('only once', { messageId: 'om_persist_1' });
    await first.waitForReceived((m) => m.id === 'om_persist_1', 5_000);
    await a.stop();
    const saved = JSON.parse(await readFile(join(stateDir, 'seen-message-ids.json'), 'utf8')) as Array<
      [string, number]
    >;
    expect(saved.map(([id]) => id)).toContain('om_persist_1');

    const second = createTestContext();
    cleanups.push(() => second.cleanup());
    const b = new FeishuAdapter(fakeConfig(fake, { stateDir }));
    await b.start(second.ctx);
    cleanups.push(() => b.stop());
    await fake.deliverDm('only once', { messageId: 'om_persist_1' });
    await fake.deliverDm('new one', { messageId: 'om_persist_2' });
    await second.waitForReceived((m) => m.id === 'om_persist_2', 5_000);
    expect(second.received.map((m) => m.id)).toEqual(['om_persist_2']);
  });

  it('an image message is fetched through the resources API with the tenant token', async () => {
    rig = await startRig();
    const bytes = Buffer.from('\x89PNG\r\n\x1a\nfake image bytes');
    const id = rig.fake.deliverMessage('image', { image_key: 'img_in_1' }, { messageId: 'om_img_1' });
    rig.fake.hostResource(id, 'img_in_1', bytes);
    const msg = await rig.context.waitForReceived((m) => m.id === id, 5_000);
    const path = await msg.attachments[0]!.fetch();
    expect((await readFile(path)).equals(bytes)).toBe(true);
    const hit = rig.fake.server.requests.find((r) => r.path.endsWith('/resources/img_in_1'))!;
    expect(hit.query.get('type')).toBe('image');
    expect(String(hit.headers['authorization'])).toMatch(/^Bearer t-/);
  });

  it('merge_forward is rendered as a transcript of the forwarded messages', async () => {
    rig = await startRig();
    // Forwarded messages are registered before the event, as they exist on Feishu before it is pushed.
    rig.fake.seedMessage('om_mf_1', 'oc_dm_default');
    rig.fake.hostMergeForward('om_mf_1', [
      { msgType: 'text', content: { text: 'first line' }, senderId: 'ou_a' },
      { msgType: 'image', content: { image_key: 'img' }, senderId: 'ou_b' },
    ]);
    rig.fake.deliverMessage('merge_forward', {}, { messageId: 'om_mf_1' });
    const msg = await rig.context.waitForReceived((m) => m.id === 'om_mf_1', 5_000);
    expect(msg.text).toBe('[merged forward]\nou_a: first line\nou_b: [image]');
  });

  it('split pastes from one sender are batched into one message; a command is not held back', async () => {
    rig = await startRig({ textBatchDelayMs: 150 });
    await rig.fake.deliverDm('part one', { fromUserId: 'ou_paste' });
    await rig.fake.deliverDm('part two', { fromUserId: 'ou_paste' });
    await rig.fake.deliverDm('/status', { fromUserId: 'ou_paste' });
    await rig.context.waitForReceived((m) => m.text === '/status', 5_000);
    expect(rig.context.received.map((m) => m.text)).toEqual(['part one\npart two', '/status']);
  });

  it('react() maps the host emoji to a Feishu emoji_type', async () => {
    rig = await startRig();
    const id = await rig.fake.deliverDm('react to me');
    const msg = await rig.context.waitForReceived((m) => m.id === id, 5_000);
    await rig.adapter.react!(msg.chat, msg.id, '❌');
    await rig.adapter.react!(msg.chat, msg.id, 'Typing');
    expect(rig.fake.reactions.map((r) => r.emoji)).toEqual(['CrossMark', 'Typing']);
  });

  it('typing() shows a Typing reaction on the latest user message once, removed by the next reply', async () => {
    rig = await startRig();
    const id = await rig.fake.deliverDm('working on it?');
    const msg = await rig.context.waitForReceived((m) => m.id === id, 5_000);
    await rig.adapter.typing!(msg.chat);
    await rig.adapter.typing!(msg.chat);
    expect(rig.fake.reactions.map((r) => [r.messageId, r.emoji, r.deleted])).toEqual([[id, 'Typing', false]]);
    expect((await rig.adapter.send(msg.chat, { text: 'done' })).ok).toBe(true);
    await waitFor(() => rig!.fake.reactions[0]!.deleted, {
      timeoutMs: 5_000,
      what: 'the Typing reaction to go',
    });
  });

  it('FEISHU_REACTIONS=false removes react(), typing() and both capabilities together', async () => {
    const adapter = new FeishuAdapter({ appId: 'cli_a1b2c3d4e5f60718', appSecret: 'x', reactions: false });
    expect(adapter.capabilities.reactions).toBe(false);
    expect(adapter.capabilities.typing).toBe(false);
    expect(adapter.react).toBeUndefined();
    expect(adapter.typing).toBeUndefined();
  });
});
