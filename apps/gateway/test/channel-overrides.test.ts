import { step } from '@hermes/agent/testing';
import { afterEach, expect, it } from 'vitest';
import { type Harness, startHarness, waitFor } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const systemOf = (h: Harness, i: number) =>
  String(h.fake.requests[i]!.body.messages.find((m) => m.role === 'system')?.content ?? '');

it('channel_overrides: a chat entry wins over the platform entry, a session /model wins over both', async () => {
  h = await startHarness({
    files: {
      'config.yaml': [
        'channel_overrides:',
        '  memory:',
        '    system_prompt: You answer for the whole platform.',
        '  "memory:chat-2":',
        '    model: big-model',
        '    system_prompt: You answer in chat 2.',
        '',
      ].join('\n'),
    },
  });
  h.fake.script(step.text('one'), step.text('two'), step.text('three'));
  h.adapter.inject({ text: 'in chat 1', chatId: 'chat-1' });
  await waitFor(() => h!.adapter.texts().includes('one'), 'reply in chat 1');
  h.adapter.inject({ text: 'in chat 2', chatId: 'chat-2' });
  await waitFor(() => h!.adapter.texts().includes('two'), 'reply in chat 2');
  // The reply is out before the turn's last writes commit; a command sent in between is told the agent is
  // still running (on PostgreSQL under load that gap was long enough for CI to hit it).
  await waitFor(() => h!.host.runtime.lanes.activeRuns === 0, 'turn in chat 2 to end');
  expect(h.fake.requests[0]!.body.model).toBe('fake-model');
  expect(systemOf(h, 0)).toContain('You answer for the whole platform.');
  expect(h.fake.requests[1]!.body.model).toBe('big-model');
  expect(systemOf(h, 1)).toContain('You answer in chat 2.');
  expect(systemOf(h, 1)).not.toContain('whole platform');

  h.adapter.inject({ text: '/model session-model', chatId: 'chat-2' });
  await waitFor(() => h!.adapter.texts().some((t) => t.includes('session-model')), '/model reply');
  h.adapter.inject({ text: 'again', chatId: 'chat-2' });
  await waitFor(() => h!.adapter.texts().includes('three'), 'third reply');
  expect(h.fake.requests[2]!.body.model).toBe('session-model');
});

it('refuses a channel_overrides key that is not <platform> or <platform>:<chat>', async () => {
  await expect(
    startHarness({ files: { 'config.yaml': 'channel_overrides:\n  "Not A Platform":\n    model: x\n' } }),
  ).rejects.toThrow(/channel_overrides.*write <platform> or <platform>:<chat id>/);
});
