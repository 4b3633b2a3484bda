import type { ChatRef, InboundAction } from '@hermes/adapter-core';
import { sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type TelegramHarness } from './harness.js';

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A started adapter whose host takes presses into `actions`. */
async function started(): Promise<{ t: TelegramHarness; actions: InboundAction[] }> {
  h = await createHarness();
  const actions: InboundAction[] = [];
  await h.adapter.start({ ...h.context.ctx, receiveAction: (a) => actions.push(a) });
  return { t: h, actions };
}

const alice: ChatRef = { platform: 'telegram', chatId: '1001', chatType: 'dm' };
const approve = [
  { id: 'approve:42', label: 'Approve', style: 'primary' as const },
  { id: 'deny:42', label: 'Deny', style: 'danger' as const },
  { id: 'always:42', label: 'Always allow' },
];

describe('buttons', () => {
  it('puts the inline keyboard on the last chunk of a split message only', async () => {
    const { t } = await started();
    const text = `${'word '.repeat(1000)}\n\n${'more '.repeat(1000)}`;
    const result = await t.adapter.send(alice, { text, actions: approve });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.messageIds.length).toBeGreaterThan(1);
    const ids = result.messageIds.map(Number);
    for (const id of ids.slice(0, -1)) expect(t.fake.keyboardOf(1001, id)).toBeUndefined();
    expect(t.fake.keyboardOf(1001, ids.at(-1)!)).toEqual({
      inline_keyboard: [
        [
          { text: 'Approve', callback_data: 'approve:42' },
          { text: 'Deny', callback_data: 'deny:42' },
        ],
        [{ text: 'Always allow', callback_data: 'always:42' }],
      ],
    });
  });

  it('refuses an action id over 64 bytes before posting anything', async () => {
    const { t } = await started();
    const long = 'é'.repeat(33); // 66 bytes in UTF-8, 33 characters
    const result = await t.adapter.send(alice, { text: 'pick', actions: [{ id: long, label: 'Go' }] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('bad_request');
    expect(result.error.message).toMatch(/66 bytes.*1-64/);
    expect(result.error.fix).toMatch(/64 bytes/);
    expect(t.fake.callsTo('sendMessage')).toHaveLength(0);
  });

  it('a press is answered, then handed over once even when Telegram delivers it twice', async () => {
    const { t, actions } = await started();
    const sent = await t.adapter.send(alice, { text: 'Run `rm -rf build`?', actions: approve });
    if (!sent.ok) throw sent.error;
    const messageId = Number(sent.messageIds.at(-1));
    const press = t.fake.pressButton(1001, messageId, 'approve:42', t.fake.alice);
    press.repeat();
    await waitFor(() => actions.length === 1, { what: 'the press to reach receiveAction' });
    const answered = await t.fake.waitForCall((c) => c.method === 'answerCallbackQuery');
    expect(answered.params['callback_query_id']).toBe(press.callbackQueryId);
    // The answer was sent before the host saw the press.
    expect(t.fake.seen.callbackAnswers).toEqual([{ callbackQueryId: press.callbackQueryId }]);
    const action = actions[0]!;
    expect(action).toMatchObject({
      id: press.callbackQueryId,
      messageId: String(messageId),
      actionId: 'approve:42',
      chat: { platform: 'telegram', chatId: '1001', chatType: 'dm' },
      sender: { id: '1001', altId: 'alice', name: 'Alice', isBot: false },
    });
    expect(action.raw).toMatchObject({ callback_query: { id: press.callbackQueryId } });
    // The redelivery has been polled and confirmed, and still only one press reached the host.
    await waitFor(() => t.fake.pendingUpdates === 0, { what: 'both updates to be confirmed' });
    await sleep(100);
    expect(actions).toHaveLength(1);
    expect(t.fake.callsTo('answerCallbackQuery')).toHaveLength(1);
  });

  it('settleActions drops the keyboard and shows the outcome under the text', async () => {
    const { t } = await started();
    const sent = await t.adapter.send(alice, { text: 'Deploy **prod**?', actions: approve });
    if (!sent.ok) throw sent.error;
    const messageId = sent.messageIds[0]!;
    expect(t.fake.keyboardOf(1001, Number(messageId))).toBeDefined();
    const settled = await t.adapter.settleActions(alice, messageId, '✅ Approved by Alice <admin>');
    expect(settled).toEqual({ ok: true, messageIds: [messageId] });
    expect(t.fake.keyboardOf(1001, Number(messageId))).toBeUndefined();
    const edit = t.fake.seen.edits.at(-1)!;
    expect(edit.messageId).toBe(Number(messageId));
    expect(edit.text).toBe('Deploy <b>prod</b>?\n\n<i>✅ Approved by Alice &lt;admin&gt;</i>');
  });

  it('settling a message it does not know (a restart) removes the keyboard and replies with the outcome', async () => {
    const { t } = await started();
    const sent = await t.adapter.send(alice, { text: 'Deploy?', actions: approve });
    if (!sent.ok) throw sent.error;
    const messageId = sent.messageIds[0]!;
    const other = t.newAdapter();
    await other.start(t.context.ctx);
    await t.adapter.stop();
    const settled = await other.settleActions(alice, messageId, 'Denied');
    expect(settled.ok).toBe(true);
    expect(t.fake.keyboardOf(1001, Number(messageId))).toBeUndefined();
    expect(t.fake.seen.markupEdits.at(-1)).toEqual({ chatId: 1001, messageId: Number(messageId) });
    const reply = t.fake.sent.at(-1)!;
    expect(reply.message['text']).toBe('Denied');
    expect(reply.replyTo).toBe(Number(messageId));
  });

  it('a press in a group needs no mention, and the chat filter applies to it', async () => {
    h = await createHarness({
      config: { requireMention: true, groupAllowedChats: [String(-1001000000001)] },
    });
    const t = h;
    const actions: InboundAction[] = [];
    await t.adapter.start({ ...t.context.ctx, receiveAction: (a) => actions.push(a) });
    const group: ChatRef = { platform: 'telegram', chatId: String(t.fake.group.id), chatType: 'group' };
    const sent = await t.adapter.send(group, { text: 'Vote', actions: [{ id: 'yes', label: 'Yes' }] });
    if (!sent.ok) throw sent.error;
    t.fake.pressButton(t.fake.group.id, Number(sent.messageIds[0]), 'yes', t.fake.bob);
    const action = await waitFor(() => actions[0], { what: 'the group press' });
    expect(action).toMatchObject({ chat: { chatType: 'group' }, sender: { id: '1002' }, actionId: 'yes' });
    const forum: ChatRef = { platform: 'telegram', chatId: String(t.fake.forum.id), chatType: 'group' };
    const other = await t.adapter.send(forum, { text: 'Vote', actions: [{ id: 'yes', label: 'Yes' }] });
    if (!other.ok) throw other.error;
    const filtered = t.fake.pressButton(t.fake.forum.id, Number(other.messageIds[0]), 'yes', t.fake.bob);
    await waitFor(() => t.fake.pendingUpdates === 0, { what: 'the filtered press to be confirmed' });
    // Not handed over, but still answered so the button stops spinning.
    await waitFor(
      () => t.fake.seen.callbackAnswers.some((a) => a.callbackQueryId === filtered.callbackQueryId),
      { what: 'the filtered press to be answered' },
    );
    await sleep(100);
    expect(actions).toHaveLength(1);
  });

  it('declares the capability together with settleActions', async () => {
    const { t } = await started();
    expect(t.adapter.capabilities.buttons).toBe(true);
    expect(typeof t.adapter.settleActions).toBe('function');
  });
});
