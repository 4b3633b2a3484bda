import { execPath } from 'node:process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createAgent } from '../agent.js';
import { createApprovalGate } from '../approvals/approval-gate.js';
import { collectTurn } from '../testing/collect-events.js';
import { type FakeOpenAI, startFakeOpenAI } from '../testing/fake-openai.js';
import { step } from '../testing/steps.js';
import type { RunTurnInput } from '../types.js';
import { McpToolHub } from './mcp-tool-hub.js';

const SERVER_SCRIPT = fileURLToPath(new URL('../../test/fixtures/mcp-test-server.mjs', import.meta.url));

let fake: FakeOpenAI;
let hub: McpToolHub;

beforeEach(async () => {
  fake = await startFakeOpenAI();
  hub = new McpToolHub();
});
afterEach(async () => {
  await hub.close();
  await fake.close();
});

const turn = (userText: string, extra: Partial<RunTurnInput> = {}): RunTurnInput => ({
  sessionKey: 'agent:main:test:dm:1',
  history: [],
  userText,
  signal: new AbortController().signal,
  approvals: createApprovalGate({ ttlMs: 5000 }),
  ...extra,
});

it('offers the hub tools to the model per turn, runs them, and sees a reload on the next turn', async () => {
  const agent = createAgent({
    baseURL: fake.baseURL,
    apiKey: 'sk-test',
    model: 'fake-model',
    maxRetries: 0,
    toolProviders: [hub],
  });
  await hub.connect({ calc: { transport: 'stdio', command: execPath, args: [SERVER_SCRIPT] } });
  fake.script(step.toolCall('calc__add', { a: 2, b: 40 }), step.text('done'));
  const first = await collectTurn(agent.runTurn(turn('add them')));
  expect(fake.requests[0]?.body.tools?.map((t) => t.function.name).sort()).toEqual([
    'calc__add',
    'calc__fail',
    'calc__slow',
    'calc__stats',
  ]);
  expect(first.ofType('tool-end')[0]).toMatchObject({ name: 'calc__add', ok: true, output: '42' });

  await hub.connect({ math: { transport: 'stdio', command: execPath, args: [SERVER_SCRIPT, 'multiply'] } });
  fake.script(step.text('ok'));
  await collectTurn(agent.runTurn(turn('again')));
  const names = fake.requests.at(-1)?.body.tools?.map((t) => t.function.name) ?? [];
  expect(names).toContain('math__multiply');
  expect(names.some((n) => n.startsWith('calc__'))).toBe(false);
});

it('lets per-turn limits name an MCP server by its mcp:<server> toolset', async () => {
  const agent = createAgent({
    baseURL: fake.baseURL,
    apiKey: 'sk-test',
    model: 'fake-model',
    maxRetries: 0,
    toolProviders: [hub],
  });
  await hub.connect({ calc: { transport: 'stdio', command: execPath, args: [SERVER_SCRIPT] } });
  fake.script(step.toolCall('calc__add', { a: 1, b: 1 }), step.text('done'));
  const t = await collectTurn(agent.runTurn(turn('add', { toolLimits: { withoutToolsets: ['mcp:calc'] } })));
  expect(fake.requests[0]?.body.tools ?? []).toEqual([]);
  expect(t.ofType('tool-end')[0]).toMatchObject({
    ok: false,
    output: expect.stringContaining('There is no tool named "calc__add"'),
  });
});

it('interrupts a running MCP call when the turn is aborted', async () => {
  const agent = createAgent({
    baseURL: fake.baseURL,
    apiKey: 'sk-test',
    model: 'fake-model',
    maxRetries: 0,
    toolProviders: [hub],
  });
  await hub.connect({ calc: { transport: 'stdio', command: execPath, args: [SERVER_SCRIPT] } });
  fake.script(step.toolCall('calc__slow', { ms: 15_000 }), step.text('never'));
  const stop = new AbortController();
  const t = await collectTurn(agent.runTurn(turn('wait', { signal: stop.signal })), {
    onEvent: (e) => {
      if (e.type === 'tool-start') setTimeout(() => stop.abort(), 100);
    },
  });
  expect(t.done.interrupted).toBe(true);
  expect(t.ofType('tool-end')[0]).toMatchObject({
    ok: false,
    output: expect.stringContaining('Interrupted'),
  });
});

it('refuses a provider tool that takes the name of a fixed tool, keeping the fixed one', async () => {
  const warnings: string[] = [];
  const fixed = {
    name: 'calc__add',
    description: 'fixed',
    parameters: { type: 'object' },
    execute: async () => ({ ok: true, output: 'fixed' }),
  };
  const agent = createAgent({
    baseURL: fake.baseURL,
    apiKey: 'sk-test',
    model: 'fake-model',
    maxRetries: 0,
    tools: [fixed],
    toolProviders: [hub],
    logger: { debug() {}, info() {}, warn: (m, f) => warnings.push(`${m} ${JSON.stringify(f)}`), error() {} },
  });
  await hub.connect({ calc: { transport: 'stdio', command: execPath, args: [SERVER_SCRIPT] } });
  fake.script(step.toolCall('calc__add', { a: 1, b: 1 }), step.text('done'));
  const t = await collectTurn(agent.runTurn(turn('add')));
  expect(t.ofType('tool-end')[0]).toMatchObject({ output: 'fixed' });
  expect(warnings.some((w) => w.includes('tool refused') && w.includes('calc__add'))).toBe(true);
});
