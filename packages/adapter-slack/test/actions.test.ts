import type { AdapterContext, ChatRef, InboundAction } from '@hermes/adapter-core';
import { sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNEL, createRig, DM, type SlackTestRig, USER } from './harness.js';

let rig: SlackTestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const dm: ChatRef = { platform: 'slack', chatId: DM, chatType: 'dm' };
const channel: ChatRef = { platform: 'slack', chatId: CHANNEL, chatType: 'channel' };
const approve = [
  { id: 'approve:42', label: 'Approve', style: 'primary' as const },
  { id: 'deny:42', label: 'Deny', style: 'danger' as const },
];

/** A started rig whose context takes presses; `onPress` runs inside receiveAction. */
async function startWithPresses(
  onPress: (action: InboundAction, r: SlackTestRig) => void = () => {},
  config: Parameters<typeof createRig>[0] = {},
): Promise<{ r: SlackTestRig; presses: InboundAction[] }> {
  const r = await createRig(config);
  rig = r;
  const presses: InboundAction[] = [];
  const ctx: AdapterContext = {
    ...r.context.ctx,
    receiveAction: (action) => {
      presses.push(action);
      onPress(action, r);
    },
  };
  await r.adapter.start(ctx);
  return { r, presses };
}

type Block = Record<string, unknown>;
const blockTypes = (blocks: Block[] | undefined) => (blocks ?? []).map((b) => b['type']);

describe('slack buttons', () => {
  it('puts the buttons on the last chunk only, with the text as fallback and in a section', async () => {
    const { r } = await startWithPresses(() => {}, { config: { maxMessageLength: 500 } });
    const long = Array.from(
      { length: 30 },
      (_, i) => `Sentence ${i} of a question that needs splitting.`,
    ).join(' ');
    const result = await r.adapter.send(channel, { text: long, actions: approve });
    expect(result.ok).toBe(true);
    const posts = r.fake.postsIn(CHANNEL);
    expect(posts.length).toBeGreaterThan(1);
    for (const post of posts.slice(0, -1)) expect(post.blocks).toBeUndefined();
    const last = posts.at(-1)!;
    expect(blockTypes(last.blocks)).toEqual(['section', 'actions']);
    const section = last.blocks![0]!['text'] as { type: string; text: string };
    expect(section.type).toBe('mrkdwn');
    expect(section.text).toBe(last.text);
    const buttons = last.blocks![1]!['elements'] as Block[];
    expect(buttons.map((b) => [b['action_id'], b['value'], b['style']])).toEqual([
      ['approve:42', 'approve:42', 'primary'],
      ['deny:42', 'deny:42', 'danger'],
    ]);
    expect(buttons.map((b) => (b['text'] as { text: string }).text)).toEqual(['Approve', 'Deny']);
    if (result.ok) expect(result.messageIds.at(-1)).toBe(last.ts);
  });

  it('refuses button ids Slack would reject, naming the problem, and posts nothing', async () => {
    const { r } = await startWithPresses();
    const result = await r.adapter.send(dm, {
      text: 'pick',
      actions: [
        { id: 'same', label: 'A' },
        { id: 'same', label: 'B' },
      ],
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('bad_request');
      expect(result.error.message).toContain('appears twice');
    }
    expect(r.fake.posts).toHaveLength(0);
  });

  it('acknowledges a press, then hands it over once even when Slack redelivers it', async () => {
    const { r, presses } = await startWithPresses();
    const sent = await r.adapter.send(
      { ...channel, threadId: '1700000000.000100' },
      { text: 'Run it?', actions: approve },
    );
    expect(sent.ok).toBe(true);
    const ts = sent.ok ? sent.messageIds[0]! : '';
    const press = r.fake.pressButton({ channel: CHANNEL, messageTs: ts, actionId: 'approve:42', user: USER });
    await press.done;
    expect(r.fake.redeliver(press.key, 'timeout')).toBe(true);
    await waitFor(() => r.fake.acks.filter((a) => a.key === press.key).length === 2, {
      timeoutMs: 5_000,
      what: 'both copies acknowledged',
    });
    await sleep(200);
    expect(presses).toHaveLength(1);
    const action = presses[0]!;
    expect(action.id).toBe(press.key);
    expect(action.actionId).toBe('approve:42');
    expect(action.messageId).toBe(ts);
    expect(action.sender.id).toBe(USER);
    expect(action.chat).toMatchObject({
      chatId: CHANNEL,
      chatType: 'channel',
      threadId: '1700000000.000100',
    });
    expect(r.adapter.stats().intake?.duplicates).toBe(1);
    expect(r.context.logger.find('error')).toHaveLength(0);
  });

  it('still acknowledges a press when the host throws on it', async () => {
    const { r, presses } = await startWithPresses(() => {
      throw new Error('host bug');
    });
    const sent = await r.adapter.send(dm, { text: 'Run it?', actions: approve });
    const ts = sent.ok ? sent.messageIds[0]! : '';
    const press = r.fake.pressButton({ channel: DM, messageTs: ts, actionId: 'deny:42' });
    await press.done;
    expect(press.acked).toBe(true);
    await waitFor(() => presses.length === 1, { timeoutMs: 5_000, what: 'the press' });
    expect(r.fake.envelopes.filter((e) => e.key === press.key)).toHaveLength(1);
  });

  it('ignores presses on blocks the adapter did not send, and garbage interactive payloads, with an ack', async () => {
    const { r, presses } = await startWithPresses();
    const foreign = r.fake.pressButton({
      channel: DM,
      messageTs: '1700000000.000200',
      actionId: 'x',
      blockId: 'other',
    });
    await foreign.done;
    r.fake.sendRaw({
      envelope_id: 'env-garbage',
      type: 'interactive',
      payload: { type: 'block_actions', actions: [] },
    });
    await waitFor(() => r.fake.strayFrames.length > 0 || r.adapter.stats().intake?.malformed === 1, {
      timeoutMs: 5_000,
      what: 'the malformed payload handled',
    });
    expect(presses).toHaveLength(0);
    expect(r.adapter.stats().intake?.malformed).toBe(1);
  });

  it('settleActions replaces the buttons with the outcome and keeps the text', async () => {
    const { r } = await startWithPresses();
    const sent = await r.adapter.send(dm, { text: 'Delete **prod**?', actions: approve });
    const ts = sent.ok ? sent.messageIds[0]! : '';
    const settled = await r.adapter.settleActions(dm, ts, '✅ Approved by Ada');
    expect(settled).toEqual({ ok: true, messageIds: [ts] });
    expect(r.fake.updates).toHaveLength(1);
    const update = r.fake.updates[0]!;
    expect(blockTypes(update.blocks)).toEqual(['section', 'context']);
    expect((update.blocks![0]!['text'] as { text: string }).text).toBe('Delete *prod*?');
    expect(JSON.stringify(update.blocks![1])).toContain('✅ Approved by Ada');
    expect(r.fake.posts[0]!.blocks?.some((b) => b['type'] === 'actions')).toBe(false);
    const missing = await r.adapter.settleActions(dm, '1700000000.999999', 'late');
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.code).toBe('not_found');
  });

  it('an edit of a message with live buttons rewrites its text and keeps the buttons; after settling, plain edits', async () => {
    const { r } = await startWithPresses();
    const sent = await r.adapter.send(dm, { text: 'Deploy to **staging**?', actions: approve });
    const ts = sent.ok ? sent.messageIds[0]! : '';
    const edited = await r.adapter.edit(dm, ts, 'Deploy to **production**?');
    expect(edited).toEqual({ ok: true, messageIds: [ts] });
    const update = r.fake.updates[0]!;
    expect(blockTypes(update.blocks)).toEqual(['section', 'actions']);
    expect((update.blocks![0]!['text'] as { text: string }).text).toBe('Deploy to *production*?');
    const ids = (update.blocks![1]!['elements'] as Block[]).map((b) => b['action_id']);
    expect(ids).toEqual(['approve:42', 'deny:42']);
    // Settling keeps the edited text, not the one first sent.
    await r.adapter.settleActions(dm, ts, '✅ Approved by Ada');
    expect((r.fake.updates[1]!.blocks![0]!['text'] as { text: string }).text).toBe('Deploy to *production*?');
    // With no live buttons any more, an edit sends no blocks (Slack keeps the settled ones).
    await r.adapter.edit(dm, ts, 'done');
    expect(r.fake.updates[2]!.blocks).toBeUndefined();
  });

  it('says it has buttons exactly when settleActions exists', async () => {
    const { r } = await startWithPresses();
    expect(r.adapter.capabilities.buttons).toBe(true);
    expect(typeof r.adapter.settleActions).toBe('function');
  });
});
