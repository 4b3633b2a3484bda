import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../agent.js';
import { createApprovalGate } from '../approvals/approval-gate.js';
import { collectTurn } from '../testing/collect-events.js';
import { type FakeOpenAI, startFakeOpenAI } from '../testing/fake-openai.js';
import { step } from '../testing/steps.js';
import { createSendMessageTool } from '../tools/send-message/send-message-tool.js';
import { createTerminalTool } from '../tools/terminal/terminal-tool.js';
import type { RunTurnInput, ToolLimits } from '../types.js';

let fake: FakeOpenAI;
beforeEach(async () => {
  fake = await startFakeOpenAI();
});
afterEach(async () => {
  await fake.close();
});

function agentWithTools() {
  return createAgent({
    baseURL: fake.baseURL,
    apiKey: 'sk-test',
    model: 'fake-model',
    maxRetries: 0,
    tools: [createTerminalTool(), createSendMessageTool(async () => ({ ok: true, detail: 'sent' }))],
  });
}

function turn(toolLimits?: ToolLimits): RunTurnInput {
  const input: RunTurnInput = {
    sessionKey: 'agent:main:test:dm:1',
    history: [],
    userText: 'run it',
    signal: new AbortController().signal,
    approvals: createApprovalGate({ ttlMs: 5000 }),
  };
  if (toolLimits) input.toolLimits = toolLimits;
  return input;
}

const offeredTools = (f: FakeOpenAI) =>
  ((f.requests[0]?.body?.tools ?? []) as Array<{ function: { name: string } }>).map((t) => t.function.name);

describe('per-turn tool limits', () => {
  it('offers every tool when the turn has no limits', async () => {
    fake.script(step.text('ok'));
    await collectTurn(agentWithTools().runTurn(turn()));
    expect(offeredTools(fake)).toEqual(['terminal', 'send_message']);
  });

  it('an allowlist of toolsets offers only those (send_message is in the messaging toolset)', async () => {
    fake.script(step.text('ok'));
    await collectTurn(agentWithTools().runTurn(turn({ toolsets: ['messaging'] })));
    expect(offeredTools(fake)).toEqual(['send_message']);
  });

  it('an empty allowlist offers no tools at all', async () => {
    fake.script(step.text('ok'));
    await collectTurn(agentWithTools().runTurn(turn({ toolsets: [] })));
    expect(fake.requests[0]?.body?.tools).toBeUndefined();
  });

  it('a model that calls a withheld tool anyway gets "no tool" and nothing runs', async () => {
    const marker = `/tmp/hermes-limit-${process.pid}-${Date.now()}`;
    fake.script(step.toolCall('terminal', { command: `touch ${marker}` }, 'call_1'), step.text('done'));
    const t = await collectTurn(agentWithTools().runTurn(turn({ withoutToolsets: ['terminal'] })));
    expect(offeredTools(fake)).toEqual(['send_message']);
    const end = t.ofType('tool-end')[0];
    expect(end).toMatchObject({ name: 'terminal', ok: false });
    expect(end?.output).toContain('There is no tool named "terminal"');
    const { existsSync } = await import('node:fs');
    expect(existsSync(marker)).toBe(false);
  });
});
