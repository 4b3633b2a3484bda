import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AgentOptions, createAgent } from './agent.js';
import { createApprovalGate } from './approvals/approval-gate.js';
import { collectTurn } from './testing/collect-events.js';
import { type FakeOpenAI, startFakeOpenAI } from './testing/fake-openai.js';
import { step } from './testing/steps.js';
import { defineTool } from './tools/define-tool.js';
import { createTerminalTool } from './tools/terminal/terminal-tool.js';
import type { ChatMessage, RunTurnInput } from './types.js';
import { createUsageTracker } from './usage.js';

let fake: FakeOpenAI;

beforeEach(async () => {
  fake = await startFakeOpenAI();
});
afterEach(async () => {
  await fake.close();
});

function agentFor(extra: Partial<AgentOptions> = {}) {
  return createAgent({
    baseURL: fake.baseURL,
    apiKey: 'sk-test',
    model: 'fake-model',
    maxRetries: 0,
    ...extra,
  });
}

function turn(userText: string, extra: Partial<RunTurnInput> = {}): RunTurnInput {
  return {
    sessionKey: 'agent:main:test:dm:1',
    history: [],
    userText,
    signal: new AbortController().signal,
    approvals: createApprovalGate({ ttlMs: 5000 }),
    ...extra,
  };
}

describe('createAgent turns against the fake model', () => {
  it('plain text turn (non-streaming request)', async () => {
    fake.script(step.text('Hello from the model.'));
    const agent = agentFor({ stream: false, systemPrompt: 'You are Hermes.' });
    const t = await collectTurn(agent.runTurn(turn('hi')));
    expect(t.done).toEqual({
      type: 'done',
      text: 'Hello from the model.',
      messages: [{ role: 'assistant', content: 'Hello from the model.' }],
      interrupted: false,
    });
    const body = fake.requests[0]?.body;
    expect(body?.stream).toBe(false);
    expect(body?.model).toBe('fake-model');
    expect(body?.messages).toEqual([
      { role: 'system', content: 'You are Hermes.' },
      { role: 'user', content: 'hi' },
    ]);
    expect(body?.tools).toBeUndefined();
  });

  it('streamed turn: text deltas in order, then usage, then done', async () => {
    fake.script(
      step.stream(['One ', 'two ', 'three.'], { usage: { promptTokens: 20, completionTokens: 3 } }),
    );
    const agent = agentFor();
    const history: ChatMessage[] = [
      { role: 'user', content: 'earlier' },
      { role: 'assistant', content: 'reply' },
    ];
    const t = await collectTurn(agent.runTurn(turn('count', { history })));
    expect(t.events.map((e) => e.type)).toEqual(['text-delta', 'text-delta', 'text-delta', 'usage', 'done']);
    expect(t.streamed).toBe('One two three.');
    expect(t.done.text).toBe('One two three.');
    expect(t.ofType('usage')[0]).toMatchObject({
      promptTokens: 20,
      completionTokens: 3,
      totalTokens: 23,
      apiCalls: 1,
    });
    const body = fake.requests[0]?.body;
    expect(body?.stream).toBe(true);
    expect(body?.stream_options).toEqual({ include_usage: true });
    expect(body?.messages).toEqual([...history, { role: 'user', content: 'count' }]);
  });

  it('relays reasoning deltas separately from the answer', async () => {
    fake.script(step.stream(['42'], { reasoning: ['thinking…'] }));
    const t = await collectTurn(agentFor().runTurn(turn('q')));
    expect(t.ofType('reasoning-delta').map((e) => e.text)).toEqual(['thinking…']);
    expect(t.done.text).toBe('42');
  });

  it('tool loop: terminal runs `echo hi`, the result goes back, the model answers', async () => {
    fake.script(
      step.toolCall('terminal', { command: 'echo hi' }, 'call_echo'),
      step.stream(['It printed hi.']),
    );
    const agent = agentFor({ tools: [createTerminalTool()] });
    const t = await collectTurn(agent.runTurn(turn('run echo hi')));

    const start = t.ofType('tool-start')[0];
    expect(start).toMatchObject({
      id: 'call_echo',
      name: 'terminal',
      args: { command: 'echo hi' },
      preview: 'echo hi',
      emoji: '💻',
    });
    const end = t.ofType('tool-end')[0];
    expect(end?.ok).toBe(true);
    expect(JSON.parse(end?.output ?? '{}')).toEqual({ exit_code: 0, output: 'hi\n' });
    expect(end?.durationMs).toBeGreaterThanOrEqual(0);

    // The second request carries the assistant tool call and the tool result.
    const second = fake.requests[1]?.body.messages ?? [];
    expect(second.at(-2)).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: 'call_echo', type: 'function', function: { name: 'terminal' } }],
    });
    expect(second.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_echo' });
    expect(JSON.parse(String(second.at(-1)?.content))).toEqual({ exit_code: 0, output: 'hi\n' });
    expect(fake.requests[0]?.body.tools?.map((x) => x.function.name)).toEqual(['terminal']);

    expect(t.done.text).toBe('It printed hi.');
    expect(t.done.messages.map((m) => m.role)).toEqual(['assistant', 'tool', 'assistant']);
    expect(t.ofType('usage')[0]?.apiCalls).toBe(2);
  });

  it('feeds unknown tools and malformed arguments back to the model as tool errors', async () => {
    fake.script(
      step.toolCalls([
        { name: 'no_such_tool', arguments: {} },
        { name: 'terminal', arguments: '{"command": "echo' },
        { name: 'terminal', arguments: { command: 42 } },
      ]),
      step.text('Sorry.'),
    );
    const t = await collectTurn(agentFor({ tools: [createTerminalTool()] }).runTurn(turn('x')));
    const ends = t.ofType('tool-end');
    expect(ends.map((e) => e.ok)).toEqual([false, false, false]);
    expect(ends[0]?.output).toContain('There is no tool named "no_such_tool"');
    expect(ends[1]?.output).toContain('not valid JSON');
    expect(ends[2]?.output).toContain('Invalid arguments for terminal: command');
    expect(t.done.text).toBe('Sorry.');
  });

  it('stops the loop after maxToolIterations and asks for a text answer', async () => {
    fake.setDefault(() => step.toolCall('terminal', { command: 'true' }));
    const t = await collectTurn(
      agentFor({ tools: [createTerminalTool()], maxToolIterations: 2 }).runTurn(turn('loop')),
    );
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests[2]?.body.tool_choice).toBe('none');
    expect(t.ofType('tool-start')).toHaveLength(2);
    expect(t.done.text).toContain('stopped after 2 tool steps');
    const last = t.done.messages.at(-1);
    expect(last).toEqual({ role: 'assistant', content: t.done.text });
  });

  it('passes per-turn model, reasoning effort and system prompt overrides', async () => {
    await collectTurn(
      agentFor().runTurn(turn('x', { model: 'other-model', reasoningEffort: 'high', systemPrompt: 'P' })),
    );
    const body = fake.requests[0]?.body;
    expect(body?.model).toBe('other-model');
    expect(body?.reasoning_effort).toBe('high');
    expect(body?.messages[0]).toEqual({ role: 'system', content: 'P' });
  });

  it('drops dangling tool calls from stored history before sending it', async () => {
    const history: ChatMessage[] = [
      { role: 'user', content: 'a' },
      {
        role: 'assistant',
        content: 'checking',
        tool_calls: [{ id: 'lost', type: 'function', function: { name: 'terminal', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'orphan', content: 'x' },
    ];
    await collectTurn(agentFor().runTurn(turn('b', { history })));
    expect(fake.requests[0]?.body.messages).toEqual([
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'checking' },
      { role: 'user', content: 'b' },
    ]);
  });

  it('gives tools the session, the context and a working abort signal', async () => {
    const seen: unknown[] = [];
    const probe = defineTool({
      name: 'probe',
      description: 'test probe',
      schema: z.object({ n: z.number() }),
      async execute(args, ctx) {
        seen.push({
          n: args.n,
          sessionKey: ctx.sessionKey,
          context: ctx.context,
          aborted: ctx.signal.aborted,
        });
        return { ok: true, output: `n=${args.n}` };
      },
    });
    fake.script(step.toolCall('probe', { n: 3 }), step.text('ok'));
    const t = await collectTurn(
      agentFor({ tools: [probe] }).runTurn(turn('x', { context: { platform: 'telegram' } })),
    );
    expect(seen).toEqual([
      { n: 3, sessionKey: 'agent:main:test:dm:1', context: { platform: 'telegram' }, aborted: false },
    ]);
    expect(t.ofType('tool-end')[0]).toMatchObject({ ok: true, output: 'n=3' });
    expect(fake.requests[0]?.body.tools?.[0]?.function.parameters).toMatchObject({
      type: 'object',
      properties: { n: { type: 'number' } },
      required: ['n'],
    });
  });

  it('refuses tool names the API would reject, and duplicates', () => {
    const t = createTerminalTool();
    expect(() => createAgent({ tools: [t, t] })).toThrow(/unique/);
    expect(() => createAgent({ tools: [{ ...t, name: 'bad name' }] })).toThrow(/not allowed/);
  });
});

describe('usage accounting', () => {
  it('sums every request of a turn and keeps per-session totals per model', async () => {
    fake.script(
      step.toolCalls([{ name: 'terminal', arguments: { command: 'true' } }], {
        usage: { promptTokens: 100, completionTokens: 10 },
      }),
      step.stream(['done'], { usage: { promptTokens: 130, completionTokens: 5 } }),
      step.text('second turn', { promptTokens: 40, completionTokens: 4 }),
    );
    const agent = agentFor({ tools: [createTerminalTool()] });
    const tracker = createUsageTracker();
    const first = await collectTurn(agent.runTurn(turn('a')));
    const u1 = first.ofType('usage')[0]!;
    expect(u1).toEqual({
      type: 'usage',
      model: 'fake-model',
      promptTokens: 230,
      completionTokens: 15,
      totalTokens: 245,
      apiCalls: 2,
      lastPromptTokens: 130,
    });
    tracker.record(u1);
    const second = await collectTurn(agent.runTurn(turn('b', { model: 'big-model' })));
    tracker.record(second.ofType('usage')[0]!);

    const snap = tracker.snapshot();
    expect(snap).toMatchObject({
      promptTokens: 270,
      completionTokens: 19,
      totalTokens: 289,
      apiCalls: 3,
      turns: 2,
    });
    expect(snap.lastPromptTokens).toBe(40);
    expect(snap.byModel['fake-model']).toMatchObject({ totalTokens: 245, apiCalls: 2, turns: 1 });
    expect(snap.byModel['big-model']).toMatchObject({ totalTokens: 44, apiCalls: 1, turns: 1 });

    // The snapshot is plain JSON: a tracker rebuilt from it carries on.
    const restored = createUsageTracker(JSON.parse(JSON.stringify(snap)));
    restored.record({
      model: 'fake-model',
      promptTokens: 1,
      completionTokens: 1,
      totalTokens: 2,
      apiCalls: 1,
      lastPromptTokens: 1,
    });
    expect(restored.totals().totalTokens).toBe(291);
    restored.reset();
    expect(restored.totals()).toEqual({
      promptTokens: 0,
      completionTokens: 0,
      totalTokens: 0,
      apiCalls: 0,
      turns: 0,
    });
  });
});

describe('no model configured', () => {
  it('answers every turn with one plain reply naming the variables, without any request', async () => {
    const agent = createAgent({});
    expect(agent.configured).toBe(false);
    for (let i = 0; i < 2; i++) {
      const t = await collectTurn(agent.runTurn(turn('hello')));
      expect(t.events.map((e) => e.type)).toEqual(['text-delta', 'done']);
      expect(t.done.interrupted).toBe(false);
      expect(t.done.messages).toEqual([]);
      for (const name of ['OPENAI_BASE_URL', 'OPENAI_API_KEY', 'HERMES_MODEL', 'model:', 'config.yaml']) {
        expect(t.done.text).toContain(name);
      }
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('needs a model name even when an endpoint is set', async () => {
    const agent = createAgent({ baseURL: fake.baseURL });
    const t = await collectTurn(agent.runTurn(turn('hello')));
    expect(t.done.text).toContain('Missing: HERMES_MODEL.');
    expect(fake.requests).toHaveLength(0);
  });

  it('works with a base URL and no key (local servers)', async () => {
    const agent = createAgent({ baseURL: fake.baseURL, model: 'local', maxRetries: 0 });
    const t = await collectTurn(agent.runTurn(turn('hello')));
    expect(t.done.text).toBe('Echo: hello');
  });
});
