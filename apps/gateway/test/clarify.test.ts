import { step } from '@hermes/agent/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { parseClarifyAction } from '../src/turn/clarify-questions.js';
import { type Harness, startHarness, waitFor } from './support/harness.js';
import { MemoryAdapter, MemoryButtonsAdapter } from './support/memory-adapter.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const buttons = () => h!.adapter as MemoryButtonsAdapter;
const toolResult = (request: number) =>
  String(h!.fake.requests[request]?.body.messages.find((m) => m.role === 'tool')?.content);

/** A turn whose model asks `clarify` first, then answers with what the tool returned. */
async function ask(choices?: string[]) {
  h!.fake.script(
    step.toolCall('clarify', { question: 'Which environment?', ...(choices ? { choices } : {}) }),
    step.text('deploying'),
  );
  h!.adapter.inject({ text: 'deploy it' });
  return waitFor(
    // Not the tool-progress line (`❓ clarify: "…"`), which may come first: the question itself.
    () =>
      h!.adapter.sent.find(
        (s) => s.message.text?.includes('Which environment?') && !s.message.text.startsWith('❓ clarify:'),
      ),
    'question',
  );
}

describe('clarifying questions (issue 9 §4)', () => {
  it('shows a button per choice; a press answers the tool, settles the buttons and the turn goes on', async () => {
    h = await startHarness({ adapter: new MemoryButtonsAdapter() });
    const question = await ask(['staging', 'production']);
    expect(question.message.text).toContain('1. staging\n2. production');
    const actions = question.message.actions ?? [];
    expect(actions.map((a) => a.label)).toEqual(['staging', 'production']);
    expect(actions.map((a) => parseClarifyAction(a.id)?.index)).toEqual([0, 1]);
    expect(actions.every((a) => a.id.startsWith('cl:') && Buffer.byteLength(a.id) <= 64)).toBe(true);

    buttons().press(question.id, actions[1]!.id, { name: 'Alice' });
    await waitFor(() => h!.adapter.texts().includes('deploying'), 'final reply');
    expect(toolResult(1)).toBe('The user answered: production');
    expect(buttons().settled).toEqual([
      { chat: question.chat, messageId: question.id, outcome: '✅ production' },
    ]);
    // A second press of the same question finds it answered.
    buttons().press(question.id, actions[0]!.id);
    await waitFor(() => buttons().settled.length === 2, 'expired settle');
    expect(buttons().settled[1]?.outcome).toMatch(/^⌛ Expired/);
  });

  it('without buttons the next message is the answer (a number picks a choice) and starts no turn of its own', async () => {
    h = await startHarness({ adapter: new MemoryAdapter() });
    const question = await ask(['staging', 'production']);
    expect(question.message.actions).toBeUndefined();
    expect(question.message.text).toContain('Reply with a number, or type your own answer.');
    h.adapter.inject({ text: '1' });
    await waitFor(() => h!.adapter.texts().includes('deploying'), 'final reply');
    expect(toolResult(1)).toBe('The user answered: staging');
    expect(h.fake.requests).toHaveLength(2);
    expect(await h.host.runtime.journal.open()).toEqual([]);
  });

  it('a free-text answer goes to the model as typed', async () => {
    h = await startHarness({ adapter: new MemoryButtonsAdapter() });
    await ask(['staging', 'production']);
    h.adapter.inject({ text: 'the canary cluster please' });
    await waitFor(() => h!.adapter.texts().includes('deploying'), 'final reply');
    expect(toolResult(1)).toBe('The user answered: the canary cluster please');
    expect(buttons().settled.map((s) => s.outcome)).toEqual(['✅ the canary cluster please']);
  });

  it('presses by someone who may not answer are ignored', async () => {
    h = await startHarness({ adapter: new MemoryButtonsAdapter() });
    const question = await ask(['staging', 'production']);
    const id = question.message.actions![0]!.id;
    buttons().press(question.id, id, { userId: 'stranger-7', name: 'Mallory' });
    await waitFor(() => h!.logger.find('warn', 'may not answer this question').length === 1, 'refusal log');
    expect(buttons().settled).toEqual([]);
    expect(h.fake.requests).toHaveLength(1);
    buttons().press(question.id, id);
    await waitFor(() => h!.adapter.texts().includes('deploying'), 'final reply');
    expect(toolResult(1)).toBe('The user answered: staging');
  });

  it('no answer in time: the model is told so and the buttons say it', async () => {
    h = await startHarness({
      adapter: new MemoryButtonsAdapter(),
      env: { HERMES_CLARIFY_TIMEOUT_SECONDS: '0.3' },
    });
    await ask(['staging', 'production']);
    await waitFor(() => h!.adapter.texts().includes('deploying'), 'final reply');
    expect(toolResult(1)).toMatch(/^The user did not answer within \d+ s\. Go on with your best judgement/);
    expect(buttons().settled.map((s) => s.outcome)).toEqual(['⌛ No answer in time']);
  });

  it('/stop withdraws the question with the turn', async () => {
    h = await startHarness({ adapter: new MemoryButtonsAdapter() });
    await ask(['staging', 'production']);
    h.adapter.inject({ text: '/stop' });
    await waitFor(() => buttons().settled.length === 1, 'withdrawn');
    expect(buttons().settled[0]?.outcome).toBe('⏹ Question withdrawn');
    expect(h.fake.requests).toHaveLength(1);
  });

  it('is not offered where nobody can answer: request/reply and event turns', async () => {
    h = await startHarness({ kinds: { memory: 'request-reply' } });
    h.fake.script(step.text('ok'));
    h.adapter.inject({ text: 'hello' });
    await waitFor(() => h!.fake.requests.length === 1, 'model request');
    const names = (h.fake.requests[0]!.body.tools ?? []).map((t) => t.function.name);
    expect(names).toContain('terminal');
    expect(names).not.toContain('clarify');
  });
});
