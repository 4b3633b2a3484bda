import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAgent } from '../agent.js';
import { createApprovalGate } from '../approvals/approval-gate.js';
import { collectTurn } from '../testing/collect-events.js';
import { type FakeOpenAI, startFakeOpenAI } from '../testing/fake-openai.js';
import { step } from '../testing/steps.js';
import { createTerminalTool } from '../tools/terminal/terminal-tool.js';
import { createCheckpointStore } from './checkpoint-store.js';

let fake: FakeOpenAI;
let base: string;
let work: string;

beforeEach(async () => {
  fake = await startFakeOpenAI();
  base = await mkdtemp(join(tmpdir(), 'hermes-terminal-checkpoint-'));
  work = join(base, 'project');
  await mkdir(work);
  await writeFile(join(work, 'notes.txt'), 'original');
});
afterEach(async () => {
  await fake.close();
  await rm(base, { recursive: true, force: true });
});

it('the terminal tool snapshots before a command that changes files, not before one that only reads', async () => {
  const store = createCheckpointStore({ root: join(base, 'checkpoints') });
  const agent = createAgent({
    baseURL: fake.baseURL,
    apiKey: 'sk-test',
    model: 'fake-model',
    maxRetries: 0,
    tools: [createTerminalTool({ cwd: work, checkpoints: store })],
  });
  fake.script(
    step.toolCall('terminal', { command: 'cat notes.txt' }, 'call_read'),
    step.toolCall('terminal', { command: 'echo changed > notes.txt' }, 'call_write'),
    step.text('Done.'),
  );
  await collectTurn(
    agent.runTurn({
      sessionKey: 's1',
      history: [],
      userText: 'edit',
      signal: new AbortController().signal,
      approvals: createApprovalGate(),
    }),
  );
  expect(await readFile(join(work, 'notes.txt'), 'utf8')).toBe('changed\n');
  const listed = await store.list({ sessionKey: 's1' });
  if (!listed.ok) throw new Error(listed.message);
  expect(listed.checkpoints.map((c) => c.command)).toEqual(['echo changed > notes.txt']);
  const first = listed.checkpoints[0];
  if (!first) throw new Error('no checkpoint');
  expect((await store.restore(first.id, { sessionKey: 's1' })).ok).toBe(true);
  expect(await readFile(join(work, 'notes.txt'), 'utf8')).toBe('original');
});
