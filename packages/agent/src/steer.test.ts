import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from './agent.js';
import { createApprovalGate } from './approvals/approval-gate.js';
import { collectTurn } from './testing/collect-events.js';
import { type FakeOpenAI, startFakeOpenAI } from './testing/fake-openai.js';
import { step } from './testing/steps.js';
import { createTerminalTool } from './tools/terminal/terminal-tool.js';
import type { RunTurnInput, SteerSource } from './types.js';

let fake: FakeOpenAI;
beforeEach(async () => {
  fake = await startFakeOpenAI();
});
afterEach(async () => {
  await fake.close();
});

/** A steer inbox a test fills; counts how often the loop looked into it. */
function inbox(initial: string[] = []): SteerSource & { waiting: string[]; drains: number } {
  const box = {
    waiting: [...initial],
    drains: 0,
    drain() {
      box.drains++;
      return box.waiting.splice(0);
    },
  };
  return box;
}

function turn(userText: string, steer: SteerSource): RunTurnInput {
  return {
    sessionKey: 'agent:main:test:dm:1',
    history: [],
    userText,
    signal: new AbortController().signal,
    approvals: createApprovalGate({ ttlMs: 5000 }),
    steer,
  };
}

const agent = () =>
  createAgent({
    baseURL: fake.baseURL,
    apiKey: 'sk-test',
    model: 'fake-model',
    maxRetries: 0,
    tools: [createTerminalTool()],
  });

describe('steering a running turn', () => {
  it('adds steered texts as user messages after the tool results, before the next request', async () => {
    fake.script(step.toolCall('terminal', { command: 'echo hi' }, 'call_1'), step.text('Done, in French.'));
    const box = inbox(['answer in French', 'and be brief']);
    const t = await collectTurn(agent().runTurn(turn('run echo hi', box)));

    expect(fake.requests).toHaveLength(2);
    const second = fake.requests[1]?.body.messages ?? [];
    expect(second.slice(-3)).toMatchObject([
      { role: 'tool', tool_call_id: 'call_1' },
      { role: 'user', content: 'answer in French' },
      { role: 'user', content: 'and be brief' },
    ]);
    // The steered texts are part of the turn's transcript, in the order the model saw them.
    expect(t.done.messages.map((m) => m.role)).toEqual(['assistant', 'tool', 'user', 'user', 'assistant']);
    expect(box.waiting).toEqual([]);
  });

  it('never drains when no model request follows, so the host can run the text as its own turn', async () => {
    fake.script(step.text('Plain answer.'));
    const box = inbox(['too late']);
    const t = await collectTurn(agent().runTurn(turn('hi', box)));
    expect(box.drains).toBe(0);
    expect(box.waiting).toEqual(['too late']);
    expect(t.done.messages).toEqual([{ role: 'assistant', content: 'Plain answer.' }]);
    expect(fake.requests[0]?.body.messages?.at(-1)).toEqual({ role: 'user', content: 'hi' });
  });

  it('accepts an asynchronous source', async () => {
    fake.script(step.toolCall('terminal', { command: 'echo hi' }, 'call_2'), step.text('ok'));
    const source: SteerSource = { drain: async () => ['from a promise'] };
    await collectTurn(agent().runTurn(turn('go', source)));
    expect(fake.requests[1]?.body.messages?.at(-1)).toEqual({ role: 'user', content: 'from a promise' });
  });
});
