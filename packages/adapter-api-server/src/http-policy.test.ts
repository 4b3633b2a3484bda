import { waitFor } from '@hermes/adapter-testkit';
import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { chatBody, gate, KEY, openaiClient, postJson, startHost } from '../test/harness.js';

describe('models and health', () => {
  it('lists the configured model and retrieves it by id', async () => {
    const host = await startHost({ config: { modelName: 'my-hermes' } });
    const client = openaiClient(host);
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models).toEqual([
      { id: 'my-hermes', object: 'model', created: expect.any(Number), owned_by: 'hermes' },
    ]);
    expect((await client.models.retrieve('my-hermes')).id).toBe('my-hermes');
    await expect(client.models.retrieve('gpt-4')).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });

  it('answers /health without a key', async () => {
    const host = await startHost();
    const res = await fetch(`${host.url}/health`, { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', platform: 'api_server' });
  });
});

describe('authentication', () => {
  it('refuses a wrong key with 401 in the OpenAI error shape', async () => {
    const host = await startHost();
    const error = await openaiClient(host, { key: 'wrong-key-0123456789abcdef' })
      .chat.completions.create({ model: 'hermes-agent', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_api_key', type: 'invalid_request_error' });
    expect(host.received).toHaveLength(0);
  });

  it('refuses a missing or non-Bearer Authorization header', async () => {
    const host = await startHost();
    for (const authorization of [undefined, `Basic ${KEY}`, 'Bearer ', KEY]) {
      const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
      const res = await fetch(`${host.url}/v1/models`, { headers, signal: AbortSignal.timeout(5000) });
      expect(res.status, `Authorization: ${authorization}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toMatchObject({
        error: { type: 'invalid_request_error', code: 'invalid_api_key' },
      });
    }
  });

  it('accepts any request on loopback when no key is configured', async () => {
    const host = await startHost({ config: { key: undefined } });
    const completion = await openaiClient(host, { key: 'unused' }).chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'open' }],
    });
    expect(completion.choices[0]?.message.content).toBe('echo: open');
  });
});

describe('limits and bad input', () => {
  it('answers 429 once max_concurrent_runs requests are in flight', async () => {
    const hold = gate();
    const host = await startHost({
      config: { maxConcurrentRuns: 2 },
      reply: async (m) => {
        await hold.promise;
        return `done ${m.text}`;
      },
    });
    const client = openaiClient(host);
    const running = ['a', 'b'].map((content) =>
      client.chat.completions.create({ model: 'hermes-agent', messages: [{ role: 'user', content }] }),
    );
    await waitFor(() => host.received.length === 2, { what: 'two requests to reach the host' });
    const third = await client.chat.completions
      .create({ model: 'hermes-agent', messages: [{ role: 'user', content: 'c' }] })
      .catch((e: unknown) => e);
    expect(third).toMatchObject({ status: 429, code: 'too_many_concurrent_runs', type: 'rate_limit_error' });
    expect(host.received).toHaveLength(2);
    hold.open();
    const answers = await Promise.all(running);
    expect(answers.map((a) => a.choices[0]?.message.content)).toEqual(['done a', 'done b']);
    // The slots are free again.
    const after = await client.chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'd' }],
    });
    expect(after.choices[0]?.message.content).toBe('done d');
  });

  it('answers 413 to a body over max_body_bytes, declared or streamed', async () => {
    const host = await startHost({ config: { maxBodyBytes: 2048 } });
    const error = await openaiClient(host)
      .chat.completions.create({
        model: 'hermes-agent',
        messages: [{ role: 'user', content: 'x'.repeat(5000) }],
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 413, code: 'request_too_large' });

    // Chunked upload without Content-Length: the cap applies to the bytes that arrive.
    const big = new TextEncoder().encode(chatBody('y'.repeat(5000)));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < big.length; i += 1000) controller.enqueue(big.slice(i, i + 1000));
        controller.close();
      },
    });
    const res = await fetch(`${host.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
      signal: AbortSignal.timeout(5000),
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'request_too_large' } });
    expect(host.received).toHaveLength(0);
    // The server is still fine and the slot was released.
    expect((await postJson(host, '/v1/chat/completions', chatBody('small'))).status).toBe(200);
  });

  it('answers 400 to invalid JSON and to requests without a usable user message', async () => {
    const host = await startHost();
    const bad = await postJson(host, '/v1/chat/completions', '{"model": "m", "messages": [');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_json' } });

    const client = openaiClient(host);
    await expect(
      client.chat.completions.create({ model: 'hermes-agent', messages: [] }),
    ).rejects.toMatchObject({
      status: 400,
      code: 'invalid_request',
    });
    await expect(
      client.chat.completions.create({
        model: 'hermes-agent',
        messages: [{ role: 'system', content: 'only system' }],
      }),
    ).rejects.toMatchObject({ status: 400, param: 'messages' });
    const wrongType = await postJson(host, '/v1/chat/completions', JSON.stringify({ messages: 'hello' }));
    expect(wrongType.status).toBe(400);
    expect(wrongType.json).toMatchObject({ error: { param: 'messages' } });
    expect(host.received).toHaveLength(0);
  });

  it('answers 404 to unknown routes and 405 to the wrong method', async () => {
    const host = await startHost();
    const missing = await fetch(`${host.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: '{}',
      signal: AbortSignal.timeout(5000),
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { type: 'not_found_error', code: 'unknown_route' } });
    const wrongMethod = await fetch(`${host.url}/v1/chat/completions`, {
      headers: { authorization: `Bearer ${KEY}` },
      signal: AbortSignal.timeout(5000),
    });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin: string) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, x-stainless-os',
      },
      signal: AbortSignal.timeout(5000),
    });

  it('allows configured origins, preflight included', async () => {
    const host = await startHost({ config: { corsOrigins: ['http://127.0.0.1:3000'] } });
    const pre = await preflight(host.url, 'http://127.0.0.1:3000');
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');

    const res = await postJson(host, '/v1/chat/completions', chatBody(), { origin: 'http://127.0.0.1:3000' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    expect(res.headers.get('access-control-expose-headers')).toContain('X-Hermes-Session-Id');
  });

  it('denies other origins on every method: 403 cors_origin_denied and no CORS headers', async () => {
    const host = await startHost({ config: { corsOrigins: ['http://127.0.0.1:3000'] } });
    const pre = await preflight(host.url, 'http://127.0.0.1:9');
    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${host.url}/v1/models`, {
      headers: { origin: 'http://127.0.0.1:9', authorization: `Bearer ${KEY}` },
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await res.json()).toMatchObject({
      error: { type: 'permission_error', code: 'cors_origin_denied' },
    });
    const post = await postJson(host, '/v1/chat/completions', chatBody(), { origin: 'http://127.0.0.1:9' });
    expect(post.status).toBe(403);
    expect(post.json).toMatchObject({ error: { code: 'cors_origin_denied' } });
    expect(host.received).toHaveLength(0);
  });

  it('sends no CORS headers at all when no origin is configured', async () => {
    const host = await startHost();
    const pre = await preflight(host.url, 'http://127.0.0.1:3000');
    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });
});
