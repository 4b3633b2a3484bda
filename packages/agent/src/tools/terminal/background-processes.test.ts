import { tmpdir } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../../agent.js';
import { createApprovalGate } from '../../approvals/approval-gate.js';
import { collectTurn } from '../../testing/collect-events.js';
import { type FakeOpenAI, startFakeOpenAI } from '../../testing/fake-openai.js';
import { step } from '../../testing/steps.js';
import {
  type BackgroundProcessEvent,
  type BackgroundProcesses,
  createBackgroundProcesses,
  formatBackgroundNotice,
} from './background-processes.js';
import { createTerminalTool } from './terminal-tool.js';
import { liveGroupMembers } from './test-process-group.js';

function nextEvent(events: BackgroundProcessEvent[], type: BackgroundProcessEvent['type'], timeoutMs = 5000) {
  return new Promise<BackgroundProcessEvent>((resolve, reject) => {
    const until = Date.now() + timeoutMs;
    const poll = setInterval(() => {
      const found = events.find((e) => e.type === type);
      if (found || Date.now() > until) {
        clearInterval(poll);
        if (found) resolve(found);
        else reject(new Error(`no ${type} event within ${timeoutMs} ms`));
      }
    }, 20);
  });
}

const base = {
  cwd: tmpdir(),
  env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
  shell: '/bin/sh',
  context: {},
};
let registry: BackgroundProcesses | undefined;

afterEach(async () => {
  await registry?.stopAll();
  registry = undefined;
});

describe('background processes (spec 5.4)', () => {
  it('reports progress and the exit with the last output, worded for a synthetic turn', async () => {
    const events: BackgroundProcessEvent[] = [];
    registry = createBackgroundProcesses({
      notify: 'all',
      progressIntervalMs: 100,
      onEvent: (e) => events.push(e),
    });
    const started = registry.start({
      ...base,
      sessionKey: 's1',
      command: 'echo first; sleep 1; echo second; exit 2',
    });
    if (!started.ok) throw new Error(started.error);
    expect(registry.list('s1').map((p) => p.id)).toEqual([started.process.id]);

    const progress = await nextEvent(events, 'progress');
    expect(progress.type === 'progress' && progress.output).toBe('first\n');
    const exit = await nextEvent(events, 'exit');
    expect(exit).toMatchObject({
      type: 'exit',
      exitCode: 2,
      process: { id: started.process.id, sessionKey: 's1' },
    });
    expect(exit.type === 'exit' && exit.output).toBe('first\nsecond\n');
    expect(formatBackgroundNotice(exit)).toBe(
      `[Background process ${started.process.id} finished with exit code 2. Final output: first\nsecond\n]`,
    );
    expect(formatBackgroundNotice(progress)).toMatch(/is still running\. New output: first/);
    expect(registry.list()).toEqual([]);
  });

  it("mode 'error' stays quiet on success; stop() ends a session's processes without notices", async () => {
    const events: BackgroundProcessEvent[] = [];
    registry = createBackgroundProcesses({ notify: 'error', onEvent: (e) => events.push(e) });
    registry.start({ ...base, sessionKey: 's1', command: 'true' });
    const long = registry.start({ ...base, sessionKey: 's2', command: 'sleep 30' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await registry.stop('s2')).toBe(1);
    expect(long.ok && long.process.pid && liveGroupMembers(long.process.pid)).toEqual([]);
    expect(events).toEqual([]);
  });

  it('caps processes per session', () => {
    registry = createBackgroundProcesses({ maxPerSession: 1, onEvent: () => {} });
    expect(registry.start({ ...base, sessionKey: 's', command: 'sleep 5' }).ok).toBe(true);
    const second = registry.start({ ...base, sessionKey: 's', command: 'sleep 5' });
    expect(second).toEqual({ ok: false, error: 'This session already has 1 background processes running.' });
  });
});

describe('terminal tool with background: true', () => {
  let fake: FakeOpenAI;
  beforeEach(async () => {
    fake = await startFakeOpenAI();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('returns at once with a process id, and the exit arrives later with the session context', async () => {
    const events: BackgroundProcessEvent[] = [];
    registry = createBackgroundProcesses({ notify: 'result', onEvent: (e) => events.push(e) });
    fake.script(
      step.toolCall('terminal', { command: 'sleep 0.3; echo built', background: true }),
      step.text('Started.'),
    );
    const agent = createAgent({
      baseURL: fake.baseURL,
      apiKey: 'k',
      model: 'm',
      maxRetries: 0,
      tools: [createTerminalTool({ background: registry })],
    });
    const t = await collectTurn(
      agent.runTurn({
        sessionKey: 'agent:main:telegram:dm:5',
        history: [],
        userText: 'build in background',
        signal: new AbortController().signal,
        approvals: createApprovalGate(),
        context: { platform: 'telegram', chatId: '5' },
      }),
    );
    const out = JSON.parse(t.ofType('tool-end')[0]?.output ?? '{}') as { process_id: string };
    expect(out.process_id).toMatch(/^proc_[0-9a-f]{6}$/);
    expect(fake.requests[0]?.body.tools?.[0]?.function.parameters).toMatchObject({
      properties: { background: { type: 'boolean' } },
    });
    const exit = await nextEvent(events, 'exit');
    expect(exit).toMatchObject({
      exitCode: 0,
      output: 'built\n',
      process: {
        id: out.process_id,
        sessionKey: 'agent:main:telegram:dm:5',
        context: { platform: 'telegram', chatId: '5' },
      },
    });
  });

  it('hides the option when no registry is given', () => {
    const tool = createTerminalTool();
    expect(Object.keys(tool.parameters['properties'] as object)).toEqual(['command', 'timeout', 'workdir']);
  });
});
