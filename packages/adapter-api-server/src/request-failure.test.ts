import type { RequestFailure, RequestFailureCode } from '@hermes/adapter-core';
import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { chatBody, openaiClient, postJson, startHost } from '../test/harness.js';

// A failed run is an error the client can see, never an answer (issue 8, finding 12).

const expected: Record<RequestFailureCode, { status: number; code: string; type: string }> = {
  model_not_found: { status: 404, code: 'model_not_found', type: 'invalid_request_error' },
  model_auth_failed: { status: 502, code: 'model_auth_failed', type: 'server_error' },
  rate_limited: { status: 429, code: 'rate_limit_exceeded', type: 'rate_limit_error' },
  context_too_long: { status: 400, code: 'context_length_exceeded', type: 'invalid_request_error' },
  model_timeout: { status: 504, code: 'model_timeout', type: 'timeout_error' },
  model_unavailable: { status: 502, code: 'model_unavailable', type: 'server_error' },
  bad_request: { status: 400, code: 'bad_request', type: 'invalid_request_error' },
  internal_error: { status: 500, code: 'internal_error', type: 'server_error' },
};

/** A host whose run fails with the failure code named by the prompt, after streaming `partial` if given. */
async function startFailingHost(partial?: string) {
  const outcomes: boolean[] = [];
  const host = await startHost({
    streamWords: false,
    reply: async (m, request) => {
      if (partial !== undefined) await host.adapter.edit(m.chat, request.replyMessageId, partial);
      const failure: RequestFailure = {
        code: m.text as RequestFailureCode,
        message: `The model failed with ${m.text}; try again later.`,
        retryAfterMs: 2500,
      };
      outcomes.push(host.adapter.failRequest(m.chat, failure));
      return undefined;
    },
  });
  return { host, outcomes };
}

describe('failRequest', () => {
  it('ends a waiting request with the HTTP status and OpenAI error of each failure code', async () => {
    const { host, outcomes } = await startFailingHost();
    for (const [code, wire] of Object.entries(expected)) {
      const res = await postJson(host, '/v1/chat/completions', chatBody(code));
      expect(res.status, code).toBe(wire.status);
      expect(res.json, code).toEqual({
        error: {
          code: wire.code,
          type: wire.type,
          message: `The model failed with ${code}; try again later.`,
          param: null,
        },
      });
      expect(res.headers.get('retry-after'), code).toBe(code === 'rate_limited' ? '3' : null);
      expect(res.headers.get('x-hermes-session-id'), code).toMatch(/^api-/);
    }
    expect(outcomes.every(Boolean)).toBe(true);
    expect(host.adapter.inFlight).toBe(0);
    // The host ended the run itself: the signal is not aborted, and a late send() finds nothing waiting.
    const last = host.received.at(-1)!;
    expect(last.request?.signal.aborted).toBe(false);
    expect(await host.adapter.send(last.chat, { text: 'late' })).toMatchObject({ ok: false });
    expect(host.adapter.failRequest(last.chat, { code: 'internal_error', message: 'x' })).toBe(false);
  });

  it('raises an APIError in the official client', async () => {
    const { host } = await startFailingHost();
    const error = await openaiClient(host)
      .chat.completions.create({
        model: 'hermes-agent',
        messages: [{ role: 'user', content: 'context_too_long' }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ status: 400, code: 'context_length_exceeded' });
  });

  it('ends a started stream with an in-band error event and [DONE], never finish_reason stop', async () => {
    const { host } = await startFailingHost('Partial answ');
    const res = await postJson(host, '/v1/chat/completions', chatBody('model_timeout', { stream: true }));
    expect(res.status).toBe(200);
    const events = res.text.split('\n\n').filter((e) => e !== '');
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(JSON.parse(events.at(-2)!.slice('data: '.length))).toMatchObject({
      error: { code: 'model_timeout', type: 'timeout_error' },
    });
    expect(res.text).toContain('Partial answ');
    expect(res.text).not.toContain('"finish_reason":"stop"');

    const stream = await openaiClient(host).chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'model_unavailable' }],
      stream: true,
    });
    const error = await (async () => {
      for await (const _ of stream) {
        // read until the error event
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toMatchObject({ code: 'model_unavailable' });
  });

  it('is announced by capabilities.requestReply', async () => {
    const host = await startHost();
    expect(host.adapter.capabilities.requestReply).toBe(true);
    expect(typeof host.adapter.failRequest).toBe('function');
  });
});

describe('model names', () => {
  it('answers 404 model_not_found to a model that is neither the served name nor an alias', async () => {
    const host = await startHost({ config: { modelAliases: ['gpt-4o'] } });
    const client = openaiClient(host);
    const error = await client.chat.completions
      .create({ model: 'gpt-4-turbo', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
    expect(host.received).toHaveLength(0);
    const alias = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'a' }],
    });
    expect(alias.model).toBe('hermes-agent');
    expect((await client.models.retrieve('gpt-4o')).id).toBe('gpt-4o');
  });

  it('serves the name /v1/models lists (what Open WebUI sends) and a request with no model', async () => {
    const host = await startHost({ config: { modelName: 'my-hermes' } });
    const client = openaiClient(host);
    const listed = [];
    for await (const model of client.models.list()) listed.push(model.id);
    const completion = await client.chat.completions.create({
      model: listed[0]!,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe('echo: hi');
    const noModel = await postJson(
      host,
      '/v1/chat/completions',
      JSON.stringify({ messages: [{ role: 'user', content: 'y' }] }),
    );
    expect(noModel.status).toBe(200);
    expect(noModel.json).toMatchObject({ model: 'my-hermes' });
  });
});
