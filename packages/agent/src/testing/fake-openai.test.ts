import OpenAI, { APIConnectionTimeoutError, APIError, AuthenticationError, RateLimitError } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from './fake-openai.js';
import { openAIErrors, step } from './steps.js';

let fake: FakeOpenAI;
let client: OpenAI;

beforeEach(async () => {
  fake = await startFakeOpenAI();
  client = new OpenAI({ baseURL: fake.baseURL, apiKey: 'sk-test', maxRetries: 0, timeout: 5000 });
});

afterEach(async () => {
  await fake.close();
});

const messages = [{ role: 'user' as const, content: 'hello there' }];

describe('fake OpenAI server, driven by the official client', () => {
  it('answers a non-streaming request with a chat.completion the client parses', async () => {
    fake.script(step.text('Hi!', { promptTokens: 11, completionTokens: 2 }));
    const c = await client.chat.completions.create({ model: 'fake-model', messages });
    expect(c.object).toBe('chat.completion');
    expect(c.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Hi!' });
    expect(c.choices[0]?.finish_reason).toBe('stop');
    expect(c.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 });
    expect(fake.requests[0]?.body.messages).toEqual(messages);
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-test');
  });

  it('streams chunks and a final usage chunk when include_usage is asked for', async () => {
    fake.script(step.stream(['Hel', 'lo ', 'world'], { usage: { promptTokens: 5, completionTokens: 3 } }));
    const stream = await client.chat.completions.create({
      model: 'fake-model',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const texts: string[] = [];
    const finishes: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      const choice = chunk.choices[0];
      if (choice?.delta.content) texts.push(choice.delta.content);
      if (choice?.finish_reason) finishes.push(choice.finish_reason);
      if (chunk.usage) {
        expect(chunk.choices).toEqual([]);
        usage = chunk.usage;
      }
    }
    expect(texts).toEqual(['Hel', 'lo ', 'world']);
    expect(finishes).toEqual(['stop']);
    expect(usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  });

  it('sends no usage chunk without include_usage', async () => {
    fake.script(step.stream(['a', 'b']));
    const stream = await client.chat.completions.create({ model: 'fake-model', messages, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
  });

  it("streams tool calls that the client's own stream accumulator assembles", async () => {
    fake.script(
      step.toolCalls(
        [
          { name: 'terminal', arguments: { command: 'echo hi' }, id: 'call_1' },
          { name: 'send_message', arguments: { target: 'home', message: 'done' } },
        ],
        { fragmentSize: 3 },
      ),
    );
    // ChatCompletionStream validates every delta (index, id, type, name) as it merges them.
    const runner = client.chat.completions.stream({
      model: 'fake-model',
      messages,
      tools: [
        { type: 'function', function: { name: 'terminal', parameters: { type: 'object', properties: {} } } },
        {
          type: 'function',
          function: { name: 'send_message', parameters: { type: 'object', properties: {} } },
        },
      ],
    });
    const final = await runner.finalChatCompletion();
    const choice = final.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const calls = choice?.message.tool_calls ?? [];
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ id: 'call_1', type: 'function', function: { name: 'terminal' } });
    expect(calls[0]?.type === 'function' && JSON.parse(calls[0].function.arguments)).toEqual({
      command: 'echo hi',
    });
    expect(calls[1]?.type === 'function' && JSON.parse(calls[1].function.arguments)).toEqual({
      target: 'home',
      message: 'done',
    });
    expect(calls[1]?.id).toMatch(/^call_/);
  });

  it('returns tool calls in a non-streaming completion', async () => {
    fake.script(step.toolCall('terminal', { command: 'ls' }));
    const c = await client.chat.completions.create({ model: 'fake-model', messages });
    expect(c.choices[0]?.finish_reason).toBe('tool_calls');
    expect(c.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'terminal', arguments: '{"command":"ls"}' },
    });
  });

  it('answers errors in the OpenAI shape, which the client turns into its typed errors', async () => {
    fake.script(openAIErrors.unauthorized(), openAIErrors.rateLimited(7), openAIErrors.contextTooLong());
    const first = await client.chat.completions
      .create({ model: 'fake-model', messages })
      .catch((e: unknown) => e);
    expect(first).toBeInstanceOf(AuthenticationError);
    expect((first as APIError).code).toBe('invalid_api_key');

    const second = await client.chat.completions
      .create({ model: 'fake-model', messages })
      .catch((e: unknown) => e);
    expect(second).toBeInstanceOf(RateLimitError);
    expect((second as APIError).headers?.get('retry-after')).toBe('7');

    const third = await client.chat.completions
      .create({ model: 'fake-model', messages, stream: true })
      .catch((e: unknown) => e);
    expect(third).toBeInstanceOf(APIError);
    expect((third as APIError).status).toBe(400);
    expect((third as APIError).code).toBe('context_length_exceeded');
  });

  it('raises an error sent in the middle of a stream', async () => {
    fake.script(step.streamError(['par', 'tial'], 'The server had an error', 'server_error'));
    const stream = await client.chat.completions.create({ model: 'fake-model', messages, stream: true });
    const texts: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream)
        if (chunk.choices[0]?.delta.content) texts.push(chunk.choices[0].delta.content);
    })().catch((e: unknown) => e);
    expect(texts).toEqual(['par', 'tial']);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('The server had an error');
  });

  it('delays a response long enough for the client timeout to fire', async () => {
    const impatient = new OpenAI({ baseURL: fake.baseURL, apiKey: 'k', maxRetries: 0, timeout: 200 });
    fake.script(step.delay(2000), step.text('too late'));
    const error = await impatient.chat.completions
      .create({ model: 'fake-model', messages })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('falls back to the default responder (echo) and can be given another', async () => {
    const echoed = await client.chat.completions.create({ model: 'fake-model', messages });
    expect(echoed.choices[0]?.message.content).toBe('Echo: hello there');
    fake.setDefault((req) => step.text(`model=${req.model}`));
    const custom = await client.chat.completions.create({ model: 'm2', messages });
    expect(custom.choices[0]?.message.content).toBe('model=m2');
    expect(fake.pending()).toBe(0);
  });

  it('lists models and enforces an API key when given one', async () => {
    const locked = await startFakeOpenAI({ apiKey: 'sk-right', models: ['a', 'b'] });
    try {
      const good = new OpenAI({ baseURL: locked.baseURL, apiKey: 'sk-right', maxRetries: 0 });
      const ids = [];
      for await (const m of good.models.list()) ids.push(m.id);
      expect(ids).toEqual(['a', 'b']);
      const bad = new OpenAI({ baseURL: locked.baseURL, apiKey: 'sk-wrong', maxRetries: 0 });
      const error = await bad.chat.completions.create({ model: 'a', messages }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
    } finally {
      await locked.close();
    }
  });

  it('waits for requests with a bounded wait', async () => {
    const pending = fake.waitForRequests(1, 2000);
    await client.chat.completions.create({ model: 'fake-model', messages });
    await expect(pending).resolves.toHaveLength(1);
    await expect(fake.waitForRequests(5, 50)).rejects.toThrow(/expected 5 request/);
  });

  it('closes while a request hangs', async () => {
    fake.script(step.hang());
    const call = client.chat.completions.create({ model: 'fake-model', messages }).catch((e: unknown) => e);
    await fake.waitForRequests(1, 2000);
    await fake.close();
    expect(await call).toBeInstanceOf(APIError);
    fake = await startFakeOpenAI(); // afterEach closes this one
  });
});
