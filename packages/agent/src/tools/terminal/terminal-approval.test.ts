import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../agent.js';
import { createApprovalGate } from '../../approvals/approval-gate.js';
import { collectTurn } from '../../testing/collect-events.js';
import { type FakeOpenAI, startFakeOpenAI } from '../../testing/fake-openai.js';
import { step } from '../../testing/steps.js';
import type { AgentEvent } from '../../types.js';
import { createTerminalTool } from './terminal-tool.js';

let fake: FakeOpenAI;
let dir: string;

beforeEach(async () => {
  fake = await startFakeOpenAI();
  dir = await mkdtemp(join(tmpdir(), 'hermes-agent-approval-'));
  await writeFile(join(dir, 'keep.txt'), 'precious');
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

const SESSION = 'agent:main:test:dm:7';

function setup(ttlMs = 5000, command = `rm -rf ${dir}/*`) {
  const gate = createApprovalGate({ ttlMs });
  const agent = createAgent({
    baseURL: fake.baseURL,
    apiKey: 'sk-test',
    model: 'fake-model',
    maxRetries: 0,
    tools: [createTerminalTool({ cwd: dir })],
  });
  // The dangerous command deletes the scratch directory's contents: if approval were skipped, keep.txt would vanish.
  fake.script(step.toolCall('terminal', { command }, 'call_rm'), step.text('Finished.'));
  const run = (onEvent: (e: AgentEvent) => void) =>
    collectTurn(
      agent.runTurn({
        sessionKey: SESSION,
        history: [],
        userText: 'clean up',
        signal: new AbortController().signal,
        approvals: gate,
      }),
      { onEvent },
    );
  return { gate, run };
}

function toolResult(fakeServer: FakeOpenAI): string {
  const msgs = fakeServer.requests[1]?.body.messages ?? [];
  return String(msgs.at(-1)?.content);
}

describe('dangerous terminal commands wait for the approval gate', () => {
  it('approved: the turn resumes and the command runs', async () => {
    const { gate, run } = setup();
    let pendingSeen = 0;
    const t = await run((e) => {
      if (e.type === 'approval-request') {
        pendingSeen = gate.pending(SESSION).length;
        // What the host's /approve handler does.
        queueMicrotask(() => gate.resolve('latest', true, { sessionKey: SESSION }));
      }
    });
    const req = t.ofType('approval-request')[0];
    expect(req).toMatchObject({
      sessionKey: SESSION,
      command: `rm -rf ${dir}/*`,
      reason: 'recursive delete',
    });
    expect(req?.expiresAt).toBeGreaterThan(Date.now());
    expect(pendingSeen).toBe(1);
    const types = t.events.map((e) => e.type);
    expect(types.indexOf('tool-start')).toBeLessThan(types.indexOf('approval-request'));
    expect(types.indexOf('approval-request')).toBeLessThan(types.indexOf('tool-end'));
    expect(t.ofType('tool-end')[0]?.ok).toBe(true);
    expect(await readdir(dir)).toEqual([]);
    expect(gate.pending()).toEqual([]);
    expect(t.done.text).toBe('Finished.');
  });

  it('denied: the command is not run and the model is told so', async () => {
    const { gate, run } = setup();
    const t = await run((e) => {
      if (e.type === 'approval-request') queueMicrotask(() => gate.resolve(e.id, false));
    });
    expect(await readdir(dir)).toEqual(['keep.txt']);
    expect(t.ofType('tool-end')[0]).toMatchObject({ ok: false, name: 'terminal' });
    expect(toolResult(fake)).toContain('The user denied this command');
    expect(t.done).toMatchObject({ text: 'Finished.', interrupted: false });
  });

  it('expired: no answer within the ttl counts as denied', async () => {
    const { run } = setup(150);
    const t = await run(() => {});
    expect(await readdir(dir)).toEqual(['keep.txt']);
    expect(toolResult(fake)).toContain('Nobody approved this command in time');
    expect(t.ofType('tool-end')[0]?.ok).toBe(false);
  });

  it('`/approve session` lets the same pattern through for the rest of the session', async () => {
    const { gate, run } = setup();
    await run((e) => {
      if (e.type === 'approval-request')
        queueMicrotask(() => gate.resolve('latest', true, { sessionKey: SESSION, scope: 'session' }));
    });
    expect(gate.sessionAllowed(SESSION)).toEqual(['recursive_delete']);
    await writeFile(join(dir, 'again.txt'), 'x');
    fake.script(step.toolCall('terminal', { command: `rm -r ${dir}/again.txt` }), step.text('ok'));
    const second = await run(() => {});
    expect(second.ofType('approval-request')).toHaveLength(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it('harmless commands never ask', async () => {
    const { gate, run } = setup(5000, 'ls');
    const t = await run(() => {});
    expect(t.ofType('approval-request')).toHaveLength(0);
    expect(gate.pending()).toEqual([]);
    expect(JSON.parse(t.ofType('tool-end')[0]?.output ?? '{}')).toEqual({
      exit_code: 0,
      output: 'keep.txt\n',
    });
  });
});
