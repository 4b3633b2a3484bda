import { mergeInboundBatch } from '@hermes/adapter-core';
import { step } from '@hermes/agent/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, waitFor } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('gateway host with an in-memory platform and the fake model', () => {
  it('answers an allowed DM and keeps the conversation history between turns', async () => {
    h = await startHarness();
    h.fake.script(step.text('first answer'), step.text('second answer'));
    h.adapter.inject({ text: 'hello' });
    await waitFor(() => h!.adapter.texts().includes('first answer'), 'first reply');
    h.adapter.inject({ text: 'and again' });
    await waitFor(() => h!.adapter.texts().includes('second answer'), 'second reply');
    const second = h.fake.requests[1]!.body.messages.map((m) => `${m.role}:${String(m.content)}`);
    expect(second).toEqual(
      expect.arrayContaining(['user:hello', 'assistant:first answer', 'user:and again']),
    );
    expect(h.adapter.sent[0]?.message.replyTo).toBeDefined();
  });

  it('gives an unknown DM user a pairing code, ignores unknown group users, and lets approved users in', async () => {
    h = await startHarness();
    h.adapter.inject({ text: 'hi', userId: 'stranger', chatId: 'dm-stranger' });
    const notice = await waitFor(
      () => h!.adapter.texts().find((t) => t.includes('pairing code')),
      'pairing notice',
    );
    const code = /`([A-Z2-9]{8})`/.exec(notice)?.[1];
    expect(code).toBeDefined();
    h.adapter.inject({ text: 'hi all', userId: 'stranger2', chatId: 'group-1', chatType: 'group' });
    await new Promise((r) => setTimeout(r, 100));
    expect(h.adapter.sent.filter((s) => s.chat.chatId === 'group-1')).toHaveLength(0);
    expect(h.fake.requests).toHaveLength(0);
    expect((await h.host.runtime.pairing.approveCode('memory', code!)).ok).toBe(true);
    h.fake.script(step.text('welcome'));
    h.adapter.inject({ text: 'let me in', userId: 'stranger', chatId: 'dm-stranger' });
    await waitFor(() => h!.adapter.texts().includes('welcome'), 'reply after approval');
  });

  it('processes a redelivered message once', async () => {
    h = await startHarness();
    h.fake.script(step.text('only once'));
    h.adapter.inject({ id: 'dup-1', text: 'hello' });
    h.adapter.inject({ id: 'dup-1', text: 'hello' });
    await waitFor(() => h!.adapter.texts().includes('only once'), 'reply');
    await new Promise((r) => setTimeout(r, 100));
    expect(h.fake.requests).toHaveLength(1);
    expect(h.adapter.texts().filter((t) => t === 'only once')).toHaveLength(1);
  });

  it('a merged message delivered again with a part already taken answers only the new parts', async () => {
    h = await startHarness();
    h.fake.script(step.text('one'), step.text('two'));
    const first = h.adapter.inject({ id: 'p1', text: 'first piece' });
    await waitFor(() => h!.adapter.texts().includes('one'), 'first reply');
    // The platform delivers p1 again, now merged with p2 (a new owner fetched both; a batch formed again).
    const second = { ...first, id: 'p2', text: 'second piece' };
    await h.adapter.deliver(mergeInboundBatch([first, second]));
    await waitFor(() => h!.adapter.texts().includes('two'), 'second reply');
    expect(String(h.fake.requests[1]!.body.messages.at(-1)!.content)).toBe('second piece');
    // Both parts are taken now, alone or merged.
    await h.adapter.deliver(mergeInboundBatch([first, second]));
    await h.adapter.deliver(second);
    await new Promise((r) => setTimeout(r, 100));
    expect(h.fake.requests).toHaveLength(2);
    expect(h.adapter.texts()).toEqual(['one', 'two']);
  });

  it('interrupts a running turn and answers every message that arrived meanwhile, in order, in one turn', async () => {
    h = await startHarness();
    h.fake.script(step.hang(), step.text('combined answer'));
    h.adapter.inject({ text: 'first' });
    await h.fake.waitForRequests(1, 5000);
    h.adapter.inject({ text: 'second' });
    h.adapter.inject({ text: 'third' });
    await waitFor(() => h!.adapter.texts().includes('combined answer'), 'combined reply');
    const last = h.fake.requests.at(-1)!.body.messages.at(-1)!;
    expect(String(last.content)).toBe('second\nthird');
    expect(h.adapter.texts()).toEqual(['combined answer']);
  });

  it('runs commands: prefixes resolve, the busy guard refuses non-bypass commands, unknown ones reach the agent', async () => {
    h = await startHarness();
    h.adapter.inject({ text: '/sta' });
    await waitFor(
      () => h!.adapter.texts().find((t) => t.startsWith('📊 **Hermes Gateway Status**')),
      'status',
    );
    h.fake.script(step.hang());
    h.adapter.inject({ text: 'long task' });
    await h.fake.waitForRequests(1, 5000);
    h.adapter.inject({ text: '/undo' });
    await waitFor(
      () => h!.adapter.texts().find((t) => t.includes('/undo cannot run mid-turn')),
      'busy notice',
    );
    h.adapter.inject({ text: '/stop' });
    await waitFor(() => h!.adapter.texts().find((t) => t.startsWith('⚡ Stopping')), 'stop notice');
    h.fake.script(step.text('foo handled'));
    h.adapter.inject({ text: '/foo bar' });
    await waitFor(() => h!.adapter.texts().includes('foo handled'), 'unknown command as text');
    expect(String(h.fake.requests.at(-1)!.body.messages.at(-1)!.content)).toBe('/foo bar');
  });

  it('/new starts a fresh session and /undo removes the last exchange', async () => {
    h = await startHarness();
    h.fake.script(step.text('a1'), step.text('a2'));
    h.adapter.inject({ text: 'q1' });
    await waitFor(() => h!.adapter.texts().includes('a1'), 'a1');
    h.adapter.inject({ text: '/undo' });
    await waitFor(() => h!.adapter.texts().find((t) => t.startsWith('↩️ Undid 2 message(s)')), 'undo');
    h.adapter.inject({ text: '/new' });
    await waitFor(() => h!.adapter.texts().find((t) => t.startsWith('✨ New session started!')), 'new');
    h.adapter.inject({ text: 'q2' });
    await waitFor(() => h!.adapter.texts().includes('a2'), 'a2');
    const history = h.fake.requests[1]!.body.messages.filter((m) => m.role !== 'system').map((m) =>
      String(m.content),
    );
    expect(history).toEqual(['q2']);
  });

  it('asks for approval before a dangerous command and runs it after /approve', async () => {
    h = await startHarness();
    h.fake.script(
      step.toolCall('terminal', { command: 'rm -rf /tmp/hermes-approval-test-dir' }),
      step.text('deleted it'),
    );
    h.adapter.inject({ text: 'clean up' });
    await waitFor(
      () => h!.adapter.texts().find((t) => t.includes('Dangerous command requires approval')),
      'approval prompt',
    );
    h.adapter.inject({ text: '/approve' });
    await waitFor(() => h!.adapter.texts().includes('deleted it'), 'final reply');
    const toolResult = h.fake.requests[1]!.body.messages.find((m) => m.role === 'tool');
    expect(String(toolResult?.content)).not.toMatch(/denied/i);
  });

  it('shows tool progress in one message edited in place', async () => {
    h = await startHarness();
    h.fake.script(
      step.toolCall('terminal', { command: 'echo one' }),
      step.toolCall('terminal', { command: 'echo two' }),
      step.text('both ran'),
    );
    h.adapter.inject({ text: 'run two things' });
    await waitFor(() => h!.adapter.texts().includes('both ran'), 'final reply');
    const progress = h.adapter.sent.filter((s) => s.message.text?.includes('terminal'));
    expect(progress).toHaveLength(1);
    const finalProgress = h.adapter.edits.at(-1)?.text ?? progress[0]!.message.text!;
    expect(finalProgress).toContain('echo one');
    expect(finalProgress).toContain('echo two');
  });
});
