import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AgentOptions, createAgent } from './agent.js';
import { createApprovalGate } from './approvals/approval-gate.js';
import { retryAfterMsFrom } from './provider-errors.js';
import { collectTurn } from './testing/collect-events.js';
import { type FakeOpenAI, startFakeOpenAI } from './testing/fake-openai.js';
import { type FakeStep, openAIErrors, step } from './testing/steps.js';

const SECRET = 'sk-very-secret-key-123';
let fake: FakeOpenAI;

beforeEach(async () => {
  fake = await startFakeOpenAI();
});
afterEach(async () => {
  await fake.close();
});

async function turnWith(steps: FakeStep[], extra: Partial<AgentOptions> = {}) {
  fake.script(...steps);
  const agent = createAgent({
    baseURL: fake.baseURL,
    apiKey: SECRET,
    model: 'fake-model',
    maxRetries: 0,
    ...extra,
  });
  const t = await collectTurn(
    agent.runTurn({
      sessionKey: 's',
      history: [],
      userText: 'hi',
      signal: new AbortController().signal,
      approvals: createApprovalGate(),
    }),
  );
  const errors = t.ofType('error');
  expect(errors).toHaveLength(1);
  const error = errors[0]!;
  // Plain sentences only: no stack, no key, no raw provider JSON.
  expect(error.message).not.toContain(SECRET);
  expect(error.message).not.toMatch(/\n\s+at |\{"error"/);
  expect(t.done).toMatchObject({ text: '', interrupted: false });
  return { t, error };
}

describe('provider errors become a code and a plain sentence', () => {
  it('401 → auth_failed, pointing at OPENAI_API_KEY', async () => {
    const { error } = await turnWith([openAIErrors.unauthorized()]);
    expect(error.code).toBe('auth_failed');
    expect(error.message).toContain('OPENAI_API_KEY');
  });

  it('403 → auth_failed', async () => {
    const { error } = await turnWith([openAIErrors.forbidden()]);
    expect(error.code).toBe('auth_failed');
  });

  it('404 → model_not_found, pointing at HERMES_MODEL', async () => {
    const { error } = await turnWith([openAIErrors.modelNotFound()]);
    expect(error.code).toBe('model_not_found');
    expect(error.message).toContain('HERMES_MODEL');
  });

  it('429 → rate_limited with the retry-after', async () => {
    const { error } = await turnWith([openAIErrors.rateLimited(20)]);
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(20_000);
    expect(error.message).toContain('20 seconds');
  });

  it('429 without retry-after still reads well', async () => {
    const { error } = await turnWith([openAIErrors.rateLimited()]);
    expect(error.code).toBe('rate_limited');
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toContain('try again in a little while');
  });

  it('context overflow → context_too_long, suggesting /compress or /new', async () => {
    const { error } = await turnWith([openAIErrors.contextTooLong()]);
    expect(error.code).toBe('context_too_long');
    expect(error.message).toContain('/compress');
    expect(error.message).toContain('/new');
  });

  it('5xx → server_error; 529 → overloaded', async () => {
    expect((await turnWith([openAIErrors.serverError()])).error.code).toBe('server_error');
    expect((await turnWith([step.error(529, 'Overloaded', { type: 'overloaded_error' })])).error.code).toBe(
      'overloaded',
    );
  });

  it('an error in the middle of a stream → bad_response, partial text not kept as the reply', async () => {
    const { t, error } = await turnWith([step.streamError(['Hal'], 'upstream died')]);
    expect(error.code).toBe('bad_response');
    expect(t.streamed).toBe('Hal');
  });

  it('connection refused → network, pointing at OPENAI_BASE_URL', async () => {
    const closed = await startFakeOpenAI();
    const url = closed.baseURL;
    await closed.close();
    const { error } = await turnWith([], { baseURL: url });
    expect(error.code).toBe('network');
    expect(error.message).toContain('OPENAI_BASE_URL');
  });

  it('no answer in time → timeout', async () => {
    const { error } = await turnWith([step.delay(3000), step.text('late')], { requestTimeoutMs: 200 });
    expect(error.code).toBe('timeout');
  });

  it('a stream that stalls after it started → timeout', async () => {
    const { t, error } = await turnWith([step.stream(['a', 'b'], { delayMs: 2000 })], {
      requestTimeoutMs: 300,
    });
    expect(error.code).toBe('timeout');
    expect(t.done.text).toBe('');
  });

  it('a server that is not OpenAI-compatible → bad_response', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {not json\n\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const { error } = await turnWith([], { baseURL: `http://127.0.0.1:${port}/v1` });
      expect(error.code).toBe('bad_response');
      expect(error.message).toContain('OPENAI_BASE_URL');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('keeps completed tool steps in done.messages when a later request fails', async () => {
    const { t } = await turnWith([step.toolCall('nope', {}, 'c1'), openAIErrors.serverError()]);
    expect(t.done.messages).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'nope', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: expect.stringContaining('no tool named') },
    ]);
  });
});

describe('retryAfterMsFrom', () => {
  it('reads retry-after-ms, seconds and HTTP dates', () => {
    expect(retryAfterMsFrom(new Headers({ 'retry-after-ms': '1500' }))).toBe(1500);
    expect(retryAfterMsFrom(new Headers({ 'retry-after': '3' }))).toBe(3000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMsFrom(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:10 GMT' }), now)).toBe(
      10_000,
    );
    expect(retryAfterMsFrom(new Headers({}))).toBeUndefined();
    expect(retryAfterMsFrom(undefined)).toBeUndefined();
  });
});
