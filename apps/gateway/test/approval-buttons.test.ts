import { rmSync } from 'node:fs';
import { step } from '@hermes/agent/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { parseApprovalAction } from '../src/inbound/approval-actions.js';
import { type Harness, startHarness, waitFor } from './support/harness.js';
import { MemoryAdapter, MemoryButtonsAdapter } from './support/memory-adapter.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const buttons = () => h!.adapter as MemoryButtonsAdapter;

/** Starts a turn that asks to run a dangerous command; returns the prompt as sent. */
async function promptFor(dir: string, reply = 'deleted it') {
  h!.fake.script(step.toolCall('terminal', { command: `rm -rf /tmp/${dir}` }), step.text(reply));
  h!.adapter.inject({ text: 'clean up' });
  return waitFor(
    () => h!.adapter.sent.find((s) => s.message.text?.includes('Dangerous command requires approval')),
    'approval prompt',
  );
}

const actionId = (choice: string) => {
  const id = buttons()
    .lastWithActions()
    ?.message.actions?.find((a) => a.id.endsWith(`:${choice}`))?.id;
  if (!id) throw new Error(`no ${choice} button`);
  return id;
};

describe('approval buttons (issue 9 §4, host side)', () => {
  it('sends the four buttons to a platform with buttons, keeps the commands in the text, applies a press', async () => {
    h = await startHarness({ adapter: new MemoryButtonsAdapter() });
    const prompt = await promptFor('hermes-buttons-once');
    expect(prompt.message.text).toContain('/approve session');
    const actions = prompt.message.actions ?? [];
    expect(actions.map((a) => a.label)).toEqual(['Approve once', 'Approve for session', 'Always', 'Deny']);
    const pending = h.host.runtime.approvals.pending();
    expect(pending).toHaveLength(1);
    expect(actions.map((a) => parseApprovalAction(a.id))).toEqual(
      ['once', 'session', 'always', 'deny'].map((choice) => ({ approvalId: pending[0]!.id, choice })),
    );
    expect(actions.every((a) => Buffer.byteLength(a.id) <= 64)).toBe(true);

    buttons().press(prompt.id, actionId('session'), { name: 'Alice' });
    await waitFor(() => h!.adapter.texts().includes('deleted it'), 'final reply');
    expect(buttons().settled).toEqual([
      { chat: prompt.chat, messageId: prompt.id, outcome: '✅ Approved by Alice' },
    ]);
    expect(h.adapter.texts()).toContain('✅ Command approved (session): `rm -rf /tmp/hermes-buttons-once`');
    const toolResult = h.fake.requests[1]!.body.messages.find((m) => m.role === 'tool');
    expect(String(toolResult?.content)).not.toMatch(/denied/i);
  });

  it('a platform without buttons gets the text prompt only', async () => {
    h = await startHarness({ adapter: new MemoryAdapter() });
    const prompt = await promptFor('hermes-buttons-none');
    expect(prompt.message.actions).toBeUndefined();
    h.adapter.inject({ text: '/deny' });
    await waitFor(() => h!.adapter.texts().includes('❌ Command denied.'), 'deny reply');
  });

  it('ignores presses by other users (nothing applied, logged), then the asker denies', async () => {
    h = await startHarness({ adapter: new MemoryButtonsAdapter() });
    const prompt = await promptFor('hermes-buttons-stranger', 'not deleted');
    buttons().press(prompt.id, actionId('once'), { userId: 'stranger-7', name: 'Mallory' });
    await waitFor(() => h!.logger.find('warn', 'may not answer this approval').length === 1, 'refusal log');
    expect(h.host.runtime.approvals.pending()).toHaveLength(1);
    expect(buttons().settled).toEqual([]);

    buttons().press(prompt.id, actionId('deny'));
    await waitFor(() => h!.adapter.texts().includes('not deleted'), 'final reply');
    expect(buttons().settled.map((s) => s.outcome)).toEqual(['❌ Denied by Alice']);
    expect(h.adapter.texts()).toContain('❌ Command denied.');
  });

  it('an admin from gateway.allow_admin_from may answer someone else’s approval', async () => {
    h = await startHarness({
      adapter: new MemoryButtonsAdapter(),
      files: { 'config.yaml': 'gateway:\n  allow_admin_from: ["memory:admin-9"]\n' },
    });
    const prompt = await promptFor('hermes-buttons-admin');
    buttons().press(prompt.id, actionId('once'), { userId: 'admin-9', name: 'Ada' });
    await waitFor(() => h!.adapter.texts().includes('deleted it'), 'final reply');
    expect(buttons().settled.map((s) => s.outcome)).toEqual(['✅ Approved by Ada']);
  });

  it('an approval answered by typing settles its buttons; a later press settles as expired; a redelivered press is ignored, also after a restart', async () => {
    h = await startHarness({ adapter: new MemoryButtonsAdapter() });
    const home = h.home;
    const prompt = await promptFor('hermes-buttons-expired');
    h.adapter.inject({ text: '/approve' });
    await waitFor(() => h!.adapter.texts().includes('deleted it'), 'final reply');
    // Answered by typing: the buttons are settled at once, so nobody presses a dead button.
    expect(buttons().settled).toEqual([
      { chat: prompt.chat, messageId: prompt.id, outcome: '✅ Approved by Alice' },
    ]);

    const late = buttons().press(prompt.id, actionId('deny'), { pressId: 'press-late' });
    await waitFor(() => buttons().settled.length === 2, 'expired settle');
    expect(buttons().settled[1]?.outcome).toMatch(/^⌛ Expired/);
    buttons().press(prompt.id, late.actionId, { pressId: 'press-late' });
    await waitFor(() => h!.logger.find('debug', 'duplicate button press ignored').length === 1, 'dedupe log');
    expect(buttons().settled).toHaveLength(2);

    const sent = [...h.adapter.sent];
    await h.host.stop(2000);
    await h.fake.close();
    const again = new MemoryButtonsAdapter();
    h = await startHarness({ home, adapter: again });
    again.sent.push(...sent);
    again.press(prompt.id, late.actionId, { pressId: 'press-late' });
    again.press(prompt.id, late.actionId, { pressId: 'press-new' });
    await waitFor(() => again.settled.length === 1, 'settle of the fresh press');
    await waitFor(() => h!.logger.find('debug', 'duplicate button press ignored').length === 1, 'dedupe log');
    expect(again.settled.map((s) => s.outcome)).toEqual([expect.stringMatching(/^⌛ Expired/)]);
    await h.close();
    h = undefined;
    rmSync(home, { recursive: true, force: true });
  });
});
