// Proxy variables are read when a transport is made, so each test sets them first and restores them after.
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent } from '../agent.js';
import { createApprovalGate } from '../approvals/approval-gate.js';
import { collectTurn } from '../testing/collect-events.js';
import { type FakeOpenAI, startFakeOpenAI } from '../testing/fake-openai.js';
import { step } from '../testing/steps.js';
import { type LoopbackProxy, startProxy, startServer, within } from './loopback-servers.js';
import { createModelFetch, type ModelFetch } from './model-fetch.js';

const PROXY_VARS = [
  'http_proxy',
  'HTTP_PROXY',
  'https_proxy',
  'HTTPS_PROXY',
  'no_proxy',
  'NO_PROXY',
] as const;
const saved = new Map<string, string | undefined>();

let fake: FakeOpenAI;
let proxy: LoopbackProxy;
const transports: ModelFetch[] = [];

beforeEach(async () => {
  for (const name of PROXY_VARS) {
    saved.set(name, process.env[name]);
    delete process.env[name];
  }
  fake = await startFakeOpenAI();
  proxy = await startProxy();
});
afterEach(async () => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await fake.close();
  await proxy.close();
});

function clientVia(): OpenAI {
  const transport = createModelFetch();
  transports.push(transport);
  return new OpenAI({ baseURL: fake.baseURL, apiKey: 'sk-test', fetch: transport.fetch, maxRetries: 0 });
}

const ask = { model: 'fake-model', messages: [{ role: 'user' as const, content: 'hi' }] };
const target = () => `127.0.0.1:${fake.port}`;

describe('createModelFetch and the proxy variables', () => {
  it('HTTP_PROXY sends the request through the proxy', async () => {
    process.env.HTTP_PROXY = proxy.url;
    fake.script(step.text('via the proxy'));
    const completion = await within(clientVia().chat.completions.create(ask), 10_000, 'proxied call');
    expect(completion.choices[0]?.message.content).toBe('via the proxy');
    expect(proxy.seen.some((line) => line.includes(target()))).toBe(true);
  });

  it('a streamed answer through the proxy still arrives chunk by chunk', async () => {
    process.env.http_proxy = proxy.url;
    fake.script(step.stream(['a ', 'b ', 'c'], { delayMs: 200 }));
    const stream = await clientVia().chat.completions.create({ ...ask, stream: true });
    const at: number[] = [];
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) at.push(performance.now());
    expect(at).toHaveLength(3);
    expect((at[2] ?? 0) - (at[0] ?? 0)).toBeGreaterThan(250);
    expect(proxy.seen.some((line) => line.includes(target()))).toBe(true);
  });

  it('NO_PROXY=127.0.0.1 bypasses it', async () => {
    process.env.HTTP_PROXY = proxy.url;
    process.env.NO_PROXY = '127.0.0.1';
    fake.script(step.text('direct'));
    const completion = await within(clientVia().chat.completions.create(ask), 10_000, 'direct call');
    expect(completion.choices[0]?.message.content).toBe('direct');
    expect(proxy.seen).toEqual([]);
    expect(proxy.connections).toBe(0);
  });

  it('calls handed to the fallback fetch (a form body) use the proxy too', async () => {
    process.env.HTTP_PROXY = proxy.url;
    const server = await startServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(String(req.headers['content-type'])));
    });
    try {
      const transport = createModelFetch();
      transports.push(transport);
      const form = new FormData();
      form.append('field', 'value');
      const response = await within(
        transport.fetch(server.url, { method: 'POST', body: form }),
        10_000,
        'form',
      );
      expect(await response.text()).toMatch(/^multipart\/form-data/);
      expect(proxy.seen.some((line) => line.includes(`127.0.0.1:${server.port}`))).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('an agent made while HTTP_PROXY is set sends its turns through the proxy', async () => {
    process.env.HTTP_PROXY = proxy.url;
    fake.script(step.text('agent via proxy'));
    const agent = createAgent({
      baseURL: fake.baseURL,
      apiKey: 'sk-test',
      model: 'fake-model',
      maxRetries: 0,
    });
    const turn = await collectTurn(
      agent.runTurn({
        sessionKey: 'agent:main:test:dm:1',
        history: [],
        userText: 'hi',
        signal: new AbortController().signal,
        approvals: createApprovalGate({ ttlMs: 5000 }),
      }),
    );
    expect(turn.done?.text).toBe('agent via proxy');
    expect(proxy.seen.some((line) => line.includes(target()))).toBe(true);
  });
});
