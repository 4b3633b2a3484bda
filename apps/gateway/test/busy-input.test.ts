import { rmSync } from 'node:fs';
import type { InboundMessage } from '@hermes/adapter-core';
import { step } from '@hermes/agent/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, waitFor } from './support/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const DANGEROUS = (dir: string) => step.toolCall('terminal', { command: `rm -rf /tmp/${dir}` });
const lastUser = (i: number) =>
  String(
    h!.fake.requests[i]!.body.messages.filter((m) => m.role === 'user').at(-1)?.content ??
      '<no user message>',
  );

/** Starts a turn that holds on the approval prompt: it is running, and stays so until /approve. */
async function holdTurnOnApproval(text: string): Promise<InboundMessage> {
  const msg = h!.adapter.inject({ text });
  await waitFor(
    () => h!.adapter.texts().find((t) => t.includes('Dangerous command requires approval')),
    'approval prompt',
  );
  return msg;
}

const replies = (...wanted: string[]) => h!.adapter.texts().filter((t) => wanted.includes(t));

describe('busy input modes (issue 9 §5)', () => {
  it('interrupt is still the default, and a platform setting beats display.busy_input_mode', async () => {
    h = await startHarness({
      files: {
        'config.yaml':
          'display:\n  busy_input_mode: queue\nplatforms:\n  memory:\n    busy_input_mode: interrupt\n',
      },
    });
    h.fake.script(step.hang(), step.text('combined answer'));
    h.adapter.inject({ text: 'first' });
    await h.fake.waitForRequests(1, 5000);
    h.adapter.inject({ text: 'second' });
    h.adapter.inject({ text: 'third' });
    await waitFor(() => h!.adapter.texts().includes('combined answer'), 'combined reply');
    expect(lastUser(1)).toBe('second\nthird');
    expect(h.adapter.texts()).toEqual(['combined answer']);
  });

  it('queue (HERMES_BUSY_INPUT_MODE): three quick messages get three turns, in order, none interrupted', async () => {
    h = await startHarness({ env: { HERMES_BUSY_INPUT_MODE: 'queue' } });
    h.fake.script(DANGEROUS('hermes-queue-test'), step.text('a1'), step.text('a2'), step.text('a3'));
    await holdTurnOnApproval('m1');
    h.adapter.inject({ text: 'm2' });
    h.adapter.inject({ text: 'm3' });
    h.adapter.inject({ text: '/approve' });
    await waitFor(() => replies('a1', 'a2', 'a3').length === 3, 'three replies');
    expect(replies('a1', 'a2', 'a3')).toEqual(['a1', 'a2', 'a3']);
    expect(h.fake.requests).toHaveLength(4);
    expect([lastUser(0), lastUser(1), lastUser(2), lastUser(3)]).toEqual(['m1', 'm1', 'm2', 'm3']);
    // The first turn ran to its end: its tool was approved and its result reached the model.
    expect(h.fake.requests[1]!.body.messages.some((m) => m.role === 'tool')).toBe(true);
  });

  it('steer (display.busy_input_mode): the text reaches the running turn’s next model request, no second turn', async () => {
    h = await startHarness({ files: { 'config.yaml': 'display:\n  busy_input_mode: steer\n' } });
    h.fake.script(DANGEROUS('hermes-steer-test'), step.text('done, and hi'));
    const first = await holdTurnOnApproval('clean up');
    h.adapter.inject({ text: 'also say hi' });
    h.adapter.inject({ text: '/approve' });
    await waitFor(() => h!.adapter.texts().includes('done, and hi'), 'final reply');
    const key = h.host.runtime.sessionKeyOf(first);
    await h.host.runtime.lanes.idle(key);
    const second = h.fake.requests[1]!.body.messages;
    expect(second.at(-2)?.role).toBe('tool');
    expect(second.at(-1)).toEqual({ role: 'user', content: 'also say hi' });
    expect(h.fake.requests).toHaveLength(2);
    // Stored in order, so the next turn's history is what the model saw.
    const session = await h.host.runtime.sessions.active(key);
    const roles = (await h.host.runtime.sessions.transcript(session!.id)).map(
      (r) => `${r.role}:${r.content ?? ''}`,
    );
    expect(roles.filter((r) => r.startsWith('user:'))).toEqual(['user:clean up', 'user:also say hi']);
  });

  it('/queue and /steer override the configured mode for one message', async () => {
    h = await startHarness();
    h.fake.script(DANGEROUS('hermes-override-test'), step.text('r1'), step.text('r2'));
    await holdTurnOnApproval('clean up');
    h.adapter.inject({ text: '/steer mention cats' });
    await waitFor(() => h!.adapter.texts().find((t) => t.startsWith('↪️ Steering')), 'steer ack');
    h.adapter.inject({ text: '/queue then list files' });
    await waitFor(() => h!.adapter.texts().find((t) => t.startsWith('📥 Queued')), 'queue ack');
    h.adapter.inject({ text: '/approve' });
    await waitFor(() => replies('r1', 'r2').length === 2, 'both replies');
    expect(replies('r1', 'r2')).toEqual(['r1', 'r2']);
    expect(h.fake.requests).toHaveLength(3);
    expect(h.fake.requests[1]!.body.messages.at(-1)).toEqual({ role: 'user', content: 'mention cats' });
    expect(lastUser(2)).toBe('then list files');
  });

  it('a steered message that arrives after the last tool round gets a turn of its own', async () => {
    h = await startHarness({ env: { HERMES_BUSY_INPUT_MODE: 'steer' } });
    h.fake.script(
      step.toolCall('terminal', { command: 'echo hi' }),
      step.delay(800),
      step.text('first done'),
      step.text('late answered'),
    );
    h.adapter.inject({ text: 'run echo' });
    // The second request is the turn's last: the loop has already looked for steered messages.
    await h.fake.waitForRequests(2, 5000);
    h.adapter.inject({ text: 'too late to steer' });
    await waitFor(() => replies('first done', 'late answered').length === 2, 'both replies');
    expect(replies('first done', 'late answered')).toEqual(['first done', 'late answered']);
    expect(h.fake.requests).toHaveLength(3);
    expect(h.fake.requests[1]!.body.messages.map((m) => String(m.content))).not.toContain(
      'too late to steer',
    );
    expect(lastUser(2)).toBe('too late to steer');
  });

  it('a bad HERMES_BUSY_INPUT_MODE is reported and the configured mode is used', async () => {
    h = await startHarness({
      env: { HERMES_BUSY_INPUT_MODE: 'sideways' },
      files: { 'config.yaml': 'display:\n  busy_input_mode: queue\n' },
    });
    h.fake.script(DANGEROUS('hermes-badenv-test'), step.text('a1'), step.text('a2'));
    await holdTurnOnApproval('m1');
    h.adapter.inject({ text: 'm2' });
    h.adapter.inject({ text: '/approve' });
    await waitFor(() => replies('a1', 'a2').length === 2, 'two replies');
    expect(
      h.logger.find('warn', 'HERMES_BUSY_INPUT_MODE must be one of interrupt, queue, steer'),
    ).toHaveLength(1);
  });

  it('queued messages are journalled: after an unclean stop every one of them is still answered, in order', async () => {
    h = await startHarness({ env: { HERMES_BUSY_INPUT_MODE: 'queue' } });
    const home = h.home;
    h.fake.script(step.hang());
    h.adapter.inject({ text: 'm1' });
    await h.fake.waitForRequests(1, 5000);
    h.adapter.inject({ text: 'm2' });
    h.adapter.inject({ text: 'm3' });
    await waitFor(async () => (await h!.host.runtime.journal.open()).length === 3, 'three open messages');
    // Stopping mid-turn leaves the interrupted turn and both queued messages open in the journal.
    await h.host.stop(2000);
    await h.fake.close();
    h = await startHarness({ home, env: { HERMES_BUSY_INPUT_MODE: 'queue' } });
    h.fake.script(step.text('r1'), step.text('r2'), step.text('r3'));
    await waitFor(() => replies('r1', 'r2', 'r3').length === 3, 'three replies after restart');
    expect([lastUser(0), lastUser(1), lastUser(2)]).toEqual(['m1', 'm2', 'm3']);
    expect(await h.host.runtime.journal.open()).toEqual([]);
    await h.close();
    h = undefined;
    rmSync(home, { recursive: true, force: true });
  });
});
