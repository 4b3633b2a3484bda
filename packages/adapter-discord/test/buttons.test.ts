import type { ChatRef, InboundAction } from '@hermes/adapter-core';
import { waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { componentProblem } from '../src/testing/index.js';
import { type DiscordTestRig, startRig } from './support.js';

const group = (chatId: string): ChatRef => ({ platform: 'discord', chatId, chatType: 'group' });
const dm = (chatId: string): ChatRef => ({ platform: 'discord', chatId, chatType: 'dm' });

const approval = [
  { id: 'approve:run-1', label: 'Approve', style: 'primary' as const },
  { id: 'deny:run-1', label: 'Deny', style: 'danger' as const },
  { id: 'later:run-1', label: 'Later' },
];

/** The rig with a receiveAction that records every press the host is handed. */
async function startButtonRig(): Promise<{
  rig: DiscordTestRig;
  actions: InboundAction[];
  stateAtHandover: string[];
}> {
  const rig = await startRig({}, { heartbeatIntervalMs: 250 });
  const actions: InboundAction[] = [];
  const stateAtHandover: string[] = [];
  rig.context.ctx.receiveAction = (action) => {
    // What Discord knew when the host got the press: it must already have been acknowledged.
    stateAtHandover.push(rig.fake.interactions.find((i) => i.id === action.id)?.state ?? 'unknown');
    actions.push(action);
  };
  return { rig, actions, stateAtHandover };
}

describe('buttons (contract v2)', () => {
  let rig: DiscordTestRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('declares buttons and settleActions together, no native streaming, and Discord’s 5 per 5 s budget', async () => {
    ({ rig } = await startButtonRig());
    const { adapter } = rig;
    expect(adapter.capabilities.buttons).toBe(true);
    expect(typeof adapter.settleActions).toBe('function');
    expect(adapter.capabilities.nativeStreaming).toBeUndefined();
    expect('startStream' in adapter).toBe(false);
    expect(adapter.capabilities.chatRateLimit).toEqual({ messages: 5, perMs: 5_000 });
  });

  it('puts one action row of buttons on the last chunk only, as valid component JSON', async () => {
    ({ rig } = await startButtonRig());
    const { fake, adapter } = rig;
    const long = `${'word '.repeat(500)}\n\n${'more '.repeat(300)}`;
    const result = await adapter.send(group(fake.ids.channels.general), { text: long, actions: approval });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.messageIds.length).toBeGreaterThan(1);
    const sent = fake.botMessages();
    const bodies = sent.map((m) => m.raw as Record<string, unknown>);
    for (const body of bodies.slice(0, -1)) expect(body['components']).toBeUndefined();
    const components = bodies.at(-1)!['components'];
    expect(componentProblem(components)).toBeUndefined();
    expect(components).toEqual([
      {
        type: 1,
        components: [
          { type: 2, style: 1, label: 'Approve', custom_id: 'approve:run-1' },
          { type: 2, style: 4, label: 'Deny', custom_id: 'deny:run-1' },
          { type: 2, style: 2, label: 'Later', custom_id: 'later:run-1' },
        ],
      },
    ]);
  });

  it('more than 5 buttons wrap into rows of 5; an id over 100 characters fails the send before posting', async () => {
    ({ rig } = await startButtonRig());
    const { fake, adapter } = rig;
    const seven = Array.from({ length: 7 }, (_, i) => ({ id: `a${i}`, label: `Option ${i}` }));
    const ok = await adapter.send(group(fake.ids.channels.general), { text: 'pick one', actions: seven });
    expect(ok.ok).toBe(true);
    const rows = (fake.botMessages().at(-1)!.raw as { components: Array<{ components: unknown[] }> })
      .components;
    expect(rows.map((r) => r.components.length)).toEqual([5, 2]);

    const before = fake.botMessages().length;
    const bad = await adapter.send(group(fake.ids.channels.general), {
      text: 'too long an id',
      actions: [{ id: 'x'.repeat(101), label: 'X' }],
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.code).toBe('bad_request');
    expect(bad.error.message).toMatch(/custom_id/);
    expect(fake.botMessages().length).toBe(before);
  });

  it('a press is answered with a deferred update within 3 s, then handed to the host once even when redelivered', async () => {
    const started = await startButtonRig();
    rig = started.rig;
    const { actions, stateAtHandover } = started;
    const { fake, adapter } = rig;
    const sent = await adapter.send(group(fake.ids.channels.general), {
      text: 'Run `rm -rf build`?',
      actions: approval,
    });
    expect(sent.ok).toBe(true);
    if (!sent.ok) return;
    const messageId = sent.messageIds[0]!;

    const press = fake.pressButton({ messageId, customId: 'approve:run-1', userId: fake.ids.users.bob });
    const answered = await fake.waitForInteraction(press.id, 5_000);
    expect(answered.state).toBe('acknowledged');
    expect(answered.callbackType).toBe(6);
    // 'acknowledged' means the fake took the callback inside its 3 s window (a late one marks it failed).
    await waitFor(() => actions.length === 1, { timeoutMs: 5_000 });

    fake.redeliverInteraction(press.id);
    // A second, different press proves the dispatch after the redelivery was processed.
    const other = fake.pressButton({ messageId, customId: 'deny:run-1' });
    await waitFor(() => actions.length === 2, { timeoutMs: 5_000 });
    expect(actions.map((a) => a.id)).toEqual([press.id, other.id]);
    expect(press.refused).toEqual([]);
    expect(stateAtHandover).toEqual(['acknowledged', 'acknowledged']);

    const first = actions[0]!;
    expect(first.actionId).toBe('approve:run-1');
    expect(first.messageId).toBe(messageId);
    expect(first.chat).toMatchObject({
      platform: 'discord',
      chatId: fake.ids.channels.general,
      chatType: 'group',
      chatName: '#general',
    });
    expect(first.sender).toMatchObject({ id: fake.ids.users.bob, isBot: false });
    expect(first.receivedAt).toBeInstanceOf(Date);
    expect(adapter.liveness().lastInboundAt).toBeTypeOf('number');
  });

  it('a press in a DM and in a thread carries the chat an inbound message there would have', async () => {
    const started = await startButtonRig();
    rig = started.rig;
    const { actions } = started;
    const { fake, adapter } = rig;
    const inDm = await adapter.send(dm(fake.ids.dms.alice), { text: 'DM question', actions: approval });
    const thread: ChatRef = {
      platform: 'discord',
      chatId: fake.ids.channels.general,
      chatType: 'thread',
      threadId: fake.ids.threads.botThread,
    };
    const inThread = await adapter.send(thread, { text: 'thread question', actions: approval });
    if (!inDm.ok || !inThread.ok) throw new Error('sends failed');
    fake.pressButton({ messageId: inDm.messageIds[0]!, customId: 'approve:run-1' });
    fake.pressButton({ messageId: inThread.messageIds[0]!, customId: 'deny:run-1' });
    await waitFor(() => actions.length === 2, { timeoutMs: 5_000 });
    const byAction = new Map(actions.map((a) => [a.actionId, a]));
    expect(byAction.get('approve:run-1')!.chat).toMatchObject({ chatId: fake.ids.dms.alice, chatType: 'dm' });
    expect(byAction.get('deny:run-1')!.chat).toMatchObject({
      chatId: fake.ids.channels.general,
      chatType: 'thread',
      threadId: fake.ids.threads.botThread,
    });
  });

  it('settleActions removes the buttons and appends the outcome to the text', async () => {
    ({ rig } = await startButtonRig());
    const { fake, adapter } = rig;
    const chat = group(fake.ids.channels.general);
    const sent = await adapter.send(chat, { text: 'Deploy to production?', actions: approval });
    if (!sent.ok) throw new Error('send failed');
    const messageId = sent.messageIds[0]!;
    const settled = await adapter.settleActions(chat, messageId, '✅ Approved by Bob');
    expect(settled).toEqual({ ok: true, messageIds: [messageId] });
    const edit = fake.edits.find((e) => e.messageId === messageId);
    expect(edit?.components).toEqual([]);
    expect(edit?.content).toBe('Deploy to production?\n\n✅ Approved by Bob');

    const missing = await adapter.settleActions(chat, '1299999999999999999', 'late');
    expect(missing.ok).toBe(false);
  });

  it('the fake fails a press nobody answers within 3 s, as Discord does', async () => {
    ({ rig } = await startButtonRig());
    const { fake, adapter } = rig;
    const sent = await adapter.send(group(fake.ids.channels.general), { text: 'q', actions: approval });
    if (!sent.ok) throw new Error('send failed');
    // Nobody listens: the adapter is stopped, so the gateway has no session to deliver to.
    await adapter.stop();
    const press = fake.pressButton({ messageId: sent.messageIds[0]!, customId: 'approve:run-1' });
    const done = await fake.waitForInteraction(press.id, 5_000);
    expect(done.state).toBe('failed');
    const late = await fetch(`${fake.apiBase}/v10/interactions/${press.id}/${press.token}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 6 }),
    });
    expect(late.status).toBe(404);
    expect(((await late.json()) as { code: number }).code).toBe(10062);
  });
});
