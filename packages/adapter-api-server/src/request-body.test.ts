import { createMemoryLogger } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { chatBody, postJson, startHost } from '../test/harness.js';
import type { ApiServerRequestRaw } from './index.js';

// Request bodies: nesting bound, unknown fields dropped, never quoted back or logged (issue 8, 5 and 14).

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const withExtra = (extra: string) =>
  `{"model":"hermes-agent","messages":[{"role":"user","content":"x"}],"extra":${extra}}`;

describe('JSON nesting', () => {
  it('refuses a body nested deeper than 64 levels with 400 json_too_deep, before the host sees it', async () => {
    const host = await startHost();
    const res = await postJson(host, '/v1/chat/completions', withExtra(nested(100)));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { type: 'invalid_request_error', code: 'json_too_deep' } });
    expect(host.received).toHaveLength(0);
    // The server carries on.
    expect((await postJson(host, '/v1/chat/completions', chatBody('after'))).status).toBe(200);
  });

  it('accepts nesting within the bound and brackets inside strings, dropping the unknown field', async () => {
    const host = await startHost();
    const res = await postJson(host, '/v1/chat/completions', withExtra(nested(60)));
    expect(res.status).toBe(200);
    const brackets = await postJson(host, '/v1/chat/completions', chatBody(`[{"\\"${'[{'.repeat(500)}`));
    expect(brackets.status).toBe(200);
    expect(host.received[1]?.text).toBe(`[{"\\"${'[{'.repeat(500)}`);
    expect(JSON.stringify(host.received[0]?.raw)).not.toContain('extra');
  });
});

describe('unknown fields', () => {
  it('keeps only the fields the server reads, in messages and content parts too', async () => {
    const host = await startHost();
    const body = JSON.stringify({
      model: 'hermes-agent',
      messages: [
        { role: 'user', content: 'earlier', vendor_blob: { a: [1, 2, 3] } },
        { role: 'assistant', content: 'answer', audio: { data: 'AAAA' } },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,SECRETPIXELS' } },
          ],
        },
      ],
      metadata: { tenant: 'acme' },
      tools: [{ type: 'function', function: { name: 'f' } }],
    });
    expect((await postJson(host, '/v1/chat/completions', body)).status).toBe(200);
    const raw = host.received[0]?.raw as ApiServerRequestRaw;
    const kept = JSON.stringify(raw);
    for (const dropped of ['vendor_blob', 'audio', 'SECRETPIXELS', 'image_url', 'acme', 'tools']) {
      expect(kept).not.toContain(dropped);
    }
    expect(raw.droppedNonText).toBe(true);
    expect(raw.history).toEqual([
      { role: 'user', content: 'earlier' },
      { role: 'assistant', content: 'answer' },
    ]);
  });
});

describe('invalid JSON', () => {
  it('answers 400 invalid_json naming only the position, and logs no part of the body', async () => {
    const logger = createMemoryLogger();
    const host = await startHost({ logger });
    const secret = 'PRIVATE-NOTE-4711';
    for (const body of [
      `{"model":"hermes-agent","messages":[${secret}`,
      `${secret} {`,
      '{"messages": [1, 2,',
    ]) {
      const res = await postJson(host, '/v1/chat/completions', body);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_json' } });
      expect(res.text).not.toContain(secret);
      expect(res.text).not.toContain('hermes-agent');
    }
    expect(logger.find('warn', 'invalid_json')).toHaveLength(3);
    const logged = JSON.stringify(logger.entries);
    expect(logged).not.toContain(secret);
    expect(logged).not.toContain('messages');
  });

  it('does not log the model name a refused request asked for', async () => {
    const logger = createMemoryLogger();
    const host = await startHost({ logger });
    const res = await postJson(host, '/v1/chat/completions', chatBody('x', { model: 'model-PRIVATE-42' }));
    expect(res.status).toBe(404);
    expect(logger.find('warn', 'model_not_found')).toHaveLength(1);
    expect(JSON.stringify(logger.entries)).not.toContain('PRIVATE-42');
  });
});
