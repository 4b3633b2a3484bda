import { waitFor } from '@hermes/adapter-testkit';
import { describe, expect, it } from 'vitest';
import { openaiClient, postJson, startHost } from '../test/harness.js';
import type { ApiServerRequestRaw } from './index.js';

const rawOf = (m: { raw: unknown }) => m.raw as ApiServerRequestRaw;
const toolCall = { id: 'call_1', type: 'function' as const, function: { name: 'ls', arguments: '{}' } };

describe('POST /v1/chat/completions (official openai client)', () => {
  it('answers a non-streaming request with the host reply as a chat.completion', async () => {
    const host = await startHost({ config: { modelName: 'hermes-test', modelAliases: ['gpt-4o'] } });
    const completion = await openaiClient(host).chat.completions.create({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: null, tool_calls: [toolCall] },
        { role: 'tool', content: 'tool output', tool_call_id: 'call_1' },
        { role: 'assistant', content: 'first answer' },
        { role: 'user', content: 'second question' },
      ],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('hermes-test');
    expect(completion.choices[0]?.message).toMatchObject({
      role: 'assistant',
      content: 'echo: second question',
    });
    expect(completion.choices[0]?.finish_reason).toBe('stop');

    const [msg] = host.received;
    expect(msg?.chat).toMatchObject({ platform: 'api_server', chatType: 'dm' });
    expect(msg?.text).toBe('second question');
    expect(msg?.id).toBe(completion.id);
    // The host reads the typed exchange: user/assistant text only, tool turns left out.
    expect(msg?.request).toMatchObject({
      replyMessageId: completion.id,
      stream: false,
      system: ['Be brief.'],
      history: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
      ],
    });
    expect(msg?.request?.signal).toBeInstanceOf(AbortSignal);
    // With a key the server puts no limits on the turn.
    expect(msg?.turnLimits).toBeUndefined();
    const raw = rawOf(msg!);
    expect(raw.system).toEqual(['Be brief.']);
    expect(raw.history).toEqual([
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'ls', arguments: '{}' }] },
      { role: 'tool', content: 'tool output', toolCallId: 'call_1' },
      { role: 'assistant', content: 'first answer' },
    ]);
    expect(raw.requestedModel).toBe('gpt-4o');
    expect(raw.stream).toBe(false);
  });

  it('includes usage when the host reports it, and omits it otherwise', async () => {
    const host = await startHost({
      reply: (m) => {
        if (m.text === 'with usage') {
          host.adapter.reportUsage(m.chat, { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
        }
        return 'ok';
      },
    });
    const client = openaiClient(host);
    const withUsage = await client.chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'with usage' }],
    });
    expect(withUsage.usage).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    const without = await client.chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'plain' }],
    });
    expect(without.usage).toBeUndefined();
  });

  it('streams the reply as chat.completion.chunk deltas that add up to the full text', async () => {
    const host = await startHost({
      reply: (m) => {
        host.adapter.reportUsage(m.chat, { prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 });
        return 'one two three four';
      },
    });
    const stream = await openaiClient(host).chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('one two three four');
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    // One chunk per word (the echo host edits word by word), plus role, finish and usage chunks.
    expect(chunks.filter((c) => (c.choices[0]?.delta.content ?? '') !== '')).toHaveLength(4);
    expect(chunks.find((c) => c.choices[0]?.finish_reason === 'stop')).toBeDefined();
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 2, completion_tokens: 4, total_tokens: 6 });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(host.received[0]?.request?.stream).toBe(true);
  });

  it('writes SSE in the OpenAI wire format, ending with data: [DONE]', async () => {
    const host = await startHost({ reply: () => 'hi there' });
    const res = await postJson(
      host,
      '/v1/chat/completions',
      JSON.stringify({ model: 'hermes-agent', stream: true, messages: [{ role: 'user', content: 'x' }] }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.text.endsWith('data: [DONE]\n\n')).toBe(true);
    const events = res.text.split('\n\n').filter((e) => e !== '');
    const dataEvents = events.filter((e) => e.startsWith('data: ') && e !== 'data: [DONE]');
    for (const event of dataEvents) {
      expect(JSON.parse(event.slice('data: '.length))).toMatchObject({ object: 'chat.completion.chunk' });
    }
    const last = JSON.parse(dataEvents.at(-1)!.slice(6));
    expect(last.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
  });

  it('sends tool progress as a named SSE event that the openai client tolerates', async () => {
    const host = await startHost({
      reply: (m) => {
        host.adapter.reportToolProgress(m.chat, { tool: 'terminal', label: '💻 ls -la', phase: 'start' });
        return 'done';
      },
    });
    const body = JSON.stringify({
      model: 'hermes-agent',
      stream: true,
      messages: [{ role: 'user', content: 'x' }],
    });
    const res = await postJson(host, '/v1/chat/completions', body);
    expect(res.text).toContain('event: hermes.tool.progress\ndata: ');
    const progress = res.text.split('\n\n').find((e) => e.startsWith('event: hermes.tool.progress'))!;
    expect(JSON.parse(progress.split('\ndata: ')[1]!)).toMatchObject({
      choices: [],
      hermes_tool_progress: { tool: 'terminal', label: '💻 ls -la' },
    });

    const stream = await openaiClient(host).chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'again' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('done');
  });

  it('strips a streaming cursor from previews and sends only what is new', async () => {
    const host = await startHost({
      streamWords: false,
      reply: async (m, request) => {
        await host.adapter.edit(m.chat, request.replyMessageId, 'Hello wor ▉');
        await host.adapter.edit(m.chat, request.replyMessageId, 'Hello wor ▉');
        return 'Hello world';
      },
    });
    const stream = await openaiClient(host).chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const deltas: string[] = [];
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) deltas.push(content);
    }
    expect(deltas).toEqual(['Hello wor', 'ld']);
  });

  it('takes the text parts of multi-part content and flags the parts it drops', async () => {
    const host = await startHost();
    const completion = await openaiClient(host).chat.completions.create({
      model: 'hermes-agent',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'describe' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          ],
        },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe('echo: describe');
    expect(rawOf(host.received[0]!).droppedNonText).toBe(true);
  });

  it('keeps the known sampling options in raw.options and drops every other field', async () => {
    const host = await startHost();
    await openaiClient(host).chat.completions.create({
      model: 'hermes-agent',
      temperature: 0.2,
      max_tokens: 50,
      stop: ['END'],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      response_format: { type: 'json_object' },
      messages: [{ role: 'user', content: 'x', name: 'alice' }],
    });
    expect(rawOf(host.received[0]!).options).toEqual({ temperature: 0.2, max_tokens: 50, stop: ['END'] });
  });

  it('refuses a known option of the wrong type, naming it', async () => {
    const host = await startHost();
    const res = await postJson(
      host,
      '/v1/chat/completions',
      JSON.stringify({ messages: [{ role: 'user', content: 'x' }], max_tokens: 'lots' }),
    );
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 'invalid_request', param: 'max_tokens' } });
    expect(host.received).toHaveLength(0);
  });
});

describe('sessions', () => {
  function turnCountingHost() {
    const turns = new Map<string, number>();
    return startHost({
      reply: (m) => {
        const n = (turns.get(m.chat.chatId) ?? 0) + 1;
        turns.set(m.chat.chatId, n);
        return `turn ${n}`;
      },
    });
  }

  it('starts a new session and echoes its id; X-Hermes-Session-Id continues it', async () => {
    const host = await turnCountingHost();
    const first = await openaiClient(host)
      .chat.completions.create({ model: 'hermes-agent', messages: [{ role: 'user', content: 'a' }] })
      .withResponse();
    const sessionId = first.response.headers.get('x-hermes-session-id');
    expect(sessionId).toMatch(/^api-/);
    expect(first.data.choices[0]?.message.content).toBe('turn 1');

    const again = openaiClient(host, { headers: { 'X-Hermes-Session-Id': sessionId! } });
    const second = await again.chat.completions
      .create({ model: 'hermes-agent', messages: [{ role: 'user', content: 'b' }] })
      .withResponse();
    expect(second.data.choices[0]?.message.content).toBe('turn 2');
    expect(second.response.headers.get('x-hermes-session-id')).toBe(sessionId);
    expect(host.received.map((m) => m.chat.chatId)).toEqual([sessionId, sessionId]);
    expect(rawOf(host.received[1]!).sessionSource).toBe('header');

    const fresh = await openaiClient(host).chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'c' }],
    });
    expect(fresh.choices[0]?.message.content).toBe('turn 1');
  });

  it('maps the same X-Hermes-Session-Key to the same session without exposing the key as the id', async () => {
    const host = await turnCountingHost();
    const client = openaiClient(host, { headers: { 'X-Hermes-Session-Key': 'user:alice@example.com' } });
    await client.chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'a' }],
    });
    const second = await client.chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'b' }],
    });
    expect(second.choices[0]?.message.content).toBe('turn 2');
    const [a, b] = host.received;
    expect(a?.chat.chatId).toBe(b?.chat.chatId);
    expect(a?.chat.chatId).toMatch(/^key-[0-9a-f]{32}$/);
    expect(rawOf(a!).sessionKey).toBe('user:alice@example.com');
    expect(a?.sender.id).toBe('user:alice@example.com');
  });

  it('refuses a malformed session id or an over-long session key with 400', async () => {
    const host = await startHost();
    const body = JSON.stringify({ model: 'hermes-agent', messages: [{ role: 'user', content: 'x' }] });
    const badId = await postJson(host, '/v1/chat/completions', body, {
      'x-hermes-session-id': 'has spaces/and slashes',
    });
    expect(badId.status).toBe(400);
    expect(badId.json).toMatchObject({ error: { code: 'invalid_session', type: 'invalid_request_error' } });
    const longKey = await postJson(host, '/v1/chat/completions', body, {
      'x-hermes-session-key': 'k'.repeat(257),
    });
    expect(longKey.status).toBe(400);
    expect(host.received).toHaveLength(0);
  });

  it('answers 409 to a second request on a session that is still running', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const host = await startHost({
      reply: async () => {
        await held;
        return 'finally';
      },
    });
    const client = openaiClient(host, { headers: { 'X-Hermes-Session-Id': 'busy-session' } });
    const first = client.chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'slow' }],
    });
    await waitFor(() => host.received.length === 1, { what: 'the first request to reach the host' });
    const second = await client.chat.completions
      .create({ model: 'hermes-agent', messages: [{ role: 'user', content: 'again' }] })
      .catch((e: unknown) => e);
    expect(second).toMatchObject({ status: 409, code: 'session_busy' });
    release();
    expect((await first).choices[0]?.message.content).toBe('finally');
  });
});
