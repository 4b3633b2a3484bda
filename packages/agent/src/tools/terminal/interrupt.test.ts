import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
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
import { liveGroupMembers } from './test-process-group.js';

let fake: FakeOpenAI;
let dir: string;
const SESSION = 'agent:main:test:dm:9';

beforeEach(async () => {
  fake = await startFakeOpenAI();
  dir = await mkdtemp(join(tmpdir(), 'hermes-agent-interrupt-'));
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function agent() {
  return createAgent({
    baseURL: fake.baseURL,
    apiKey: 'sk-test',
    model: 'fake-model',
    maxRetries: 0,
    tools: [createTerminalTool({ cwd: dir })],
  });
}

async function waitForFile(path: string, timeoutMs = 5000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8').trim();
      if (text) return text;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${path} did not appear within ${timeoutMs} ms`);
}

/** Runs a turn whose only tool call is `command`, aborting once the command wrote its pid. */
async function interruptCommand(command: string) {
  const controller = new AbortController();
  const approvals = createApprovalGate();
  fake.script(step.toolCall('terminal', { command }, 'call_long'), step.text('should never be asked for'));
  const pidFile = join(dir, 'pid');
  let abortedAt = 0;
  let pid = 0;
  const t = await collectTurn(
    agent().runTurn({
      sessionKey: SESSION,
      history: [],
      userText: 'wait',
      signal: controller.signal,
      approvals,
    }),
    {
      timeoutMs: 8000,
      onEvent: (e: AgentEvent) => {
        if (e.type !== 'tool-start') return;
        void waitForFile(pidFile).then((text) => {
          pid = Number(text);
          abortedAt = Date.now();
          controller.abort(); // what the host does on /stop or a new message
        });
      },
    },
  );
  return { t, pid, elapsedMs: Date.now() - abortedAt };
}

describe('interrupting a turn', () => {
  it('kills a running `sleep 30` promptly and ends with done{interrupted:true}', async () => {
    const { t, pid, elapsedMs } = await interruptCommand(`echo $$ > ${dir}/pid; sleep 30; echo finished`);
    expect(pid).toBeGreaterThan(0);
    expect(liveGroupMembers(pid)).toEqual([]);
    expect(elapsedMs).toBeLessThan(3000);
    expect(t.done.interrupted).toBe(true);
    const end = t.ofType('tool-end')[0];
    expect(end?.ok).toBe(false);
    expect(JSON.parse(end?.output ?? '{}')).toMatchObject({
      exit_code: 130,
      error: 'Interrupted by the user.',
    });
    // No further model call after the interrupt; the transcript stays valid (call + result).
    expect(fake.requests).toHaveLength(1);
    expect(t.done.messages.map((m) => m.role)).toEqual(['assistant', 'tool']);
  });

  it('escalates to SIGKILL after 1 s when the command ignores SIGTERM', async () => {
    const { t, pid, elapsedMs } = await interruptCommand(
      `trap '' TERM; echo $$ > ${dir}/pid; sleep 30; echo finished`,
    );
    expect(liveGroupMembers(pid)).toEqual([]);
    expect(elapsedMs).toBeGreaterThanOrEqual(900);
    expect(elapsedMs).toBeLessThan(4000);
    expect(t.done.interrupted).toBe(true);
  });

  it('stops mid-stream and keeps the partial text', async () => {
    const controller = new AbortController();
    fake.script(step.stream(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], { delayMs: 150 }));
    const t = await collectTurn(
      agent().runTurn({
        sessionKey: SESSION,
        history: [],
        userText: 'talk',
        signal: controller.signal,
        approvals: createApprovalGate(),
      }),
      {
        onEvent: (e) => {
          if (e.type === 'text-delta' && e.text === 'b') controller.abort();
        },
      },
    );
    expect(t.done.interrupted).toBe(true);
    expect(t.done.text).toBe('ab');
    expect(t.done.messages).toEqual([{ role: 'assistant', content: 'ab' }]);
  });

  it('withdraws a pending approval when interrupted', async () => {
    const controller = new AbortController();
    const approvals = createApprovalGate();
    fake.script(step.toolCall('terminal', { command: 'rm -rf /tmp/definitely-not-here' }));
    const t = await collectTurn(
      agent().runTurn({
        sessionKey: SESSION,
        history: [],
        userText: 'x',
        signal: controller.signal,
        approvals,
      }),
      { onEvent: (e) => e.type === 'approval-request' && controller.abort() },
    );
    expect(t.done.interrupted).toBe(true);
    expect(approvals.pending()).toEqual([]);
    expect(approvals.resolve('latest', true)).toBeUndefined();
    expect(t.done.messages.at(-1)).toMatchObject({
      role: 'tool',
      content: expect.stringContaining('interrupted'),
    });
  });

  it('an already-aborted signal makes no request at all', async () => {
    const controller = new AbortController();
    controller.abort();
    const t = await collectTurn(
      agent().runTurn({
        sessionKey: SESSION,
        history: [],
        userText: 'x',
        signal: controller.signal,
        approvals: createApprovalGate(),
      }),
    );
    expect(t.done).toEqual({ type: 'done', text: '', messages: [], interrupted: true });
    expect(fake.requests).toHaveLength(0);
  });

  it('leaving the event loop early also kills the running command', async () => {
    fake.script(step.toolCall('terminal', { command: `echo $$ > ${dir}/pid; sleep 30; echo finished` }));
    const iterable = agent().runTurn({
      sessionKey: SESSION,
      history: [],
      userText: 'x',
      signal: new AbortController().signal,
      approvals: createApprovalGate(),
    });
    let pid = 0;
    for await (const e of iterable) {
      if (e.type === 'tool-start') {
        pid = Number(await waitForFile(join(dir, 'pid')));
        break;
      }
    }
    expect(pid).toBeGreaterThan(0);
    expect(liveGroupMembers(pid)).toEqual([]);
  });
});
