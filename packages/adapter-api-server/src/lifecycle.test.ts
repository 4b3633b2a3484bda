import { createServer } from 'node:net';
import { AdapterError, createMemoryLogger } from '@hermes/adapter-core';
import { createTestContext, waitFor } from '@hermes/adapter-testkit';
import { describe, expect, it } from 'vitest';
import { KEY, openaiClient, startHost } from '../test/harness.js';
import { ApiServerAdapter, type ApiServerRequestRaw } from './index.js';

const rawOf = (m: { raw: unknown }) => m.raw as ApiServerRequestRaw;
const dm = (chatId: string) => ({ platform: 'api_server', chatId, chatType: 'dm' as const });

describe('bind policy', () => {
  it.each(['0.0.0.0', '::', '192.168.1.20'])(
    'refuses to start on %s without a key, naming both variables',
    async (host) => {
      const adapter = new ApiServerAdapter({ host, port: 0 });
      const context = createTestContext();
      try {
        const error = await adapter.start(context.ctx).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(AdapterError);
        expect(error).toMatchObject({ code: 'config_invalid', retryable: false });
        expect((error as AdapterError).message).toContain('API_SERVER_HOST');
        expect((error as AdapterError).message).toContain('API_SERVER_KEY');
        expect((error as AdapterError).fix).toContain('API_SERVER_KEY');
        expect(adapter.address).toBeUndefined();
        expect(context.statuses).not.toContain('online');
        const probe = await adapter.probe();
        expect(probe).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
      } finally {
        await adapter.stop();
        await context.cleanup();
      }
    },
  );

  it('probe() reports a port that is already taken, with a fix', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as { port: number }).port;
      const probe = await new ApiServerAdapter({ host: '127.0.0.1', port }).probe();
      expect(probe).toMatchObject({ ok: false, error: { code: 'address_in_use' } });
      expect(probe.ok ? '' : probe.fix).toContain('API_SERVER_PORT');
      const free = await new ApiServerAdapter({ host: '127.0.0.1', port: 0, key: KEY }).probe();
      expect(free).toMatchObject({ ok: true });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('reports online on start and offline on stop, and never logs the key', async () => {
    const logger = createMemoryLogger();
    const host = await startHost({ logger });
    await openaiClient(host).chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'x' }],
    });
    await fetch(`${host.url}/v1/models`, {
      headers: { authorization: 'Bearer wrong-one' },
      signal: AbortSignal.timeout(5000),
    });
    await host.close();
    expect(host.statuses).toEqual(['connecting', 'online', 'offline']);
    expect(JSON.stringify(logger.entries)).not.toContain(KEY);
    expect(logger.find('warn', 'refused').length).toBeGreaterThan(0);
  });
});

describe('runs that do not complete normally', () => {
  it('answers 504 in the OpenAI shape when the host does not reply in time, and aborts the run', async () => {
    const host = await startHost({ config: { runTimeoutMs: 1000 }, reply: () => undefined });
    const error = await openaiClient(host)
      .chat.completions.create({ model: 'hermes-agent', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 504, code: 'run_timeout', type: 'timeout_error' });
    const signal = rawOf(host.received[0]!).signal;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('timeout');
    expect(host.adapter.inFlight).toBe(0);
  });

  it('aborts the run when the client disconnects, and a late send() is refused without throwing', async () => {
    const host = await startHost({ reply: () => undefined });
    const controller = new AbortController();
    const pending = fetch(`${host.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'hermes-agent',
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      }),
      signal: controller.signal,
    }).then((res) => res.text());
    const msg = await waitFor(() => host.received[0], { what: 'the request to reach the host' });
    controller.abort();
    await pending.catch(() => undefined);
    const signal = rawOf(msg).signal;
    await waitFor(() => signal.aborted, { what: 'raw.signal to abort after the disconnect' });
    expect(signal.reason).toBe('client_disconnected');
    expect(host.adapter.inFlight).toBe(0);
    const late = await host.adapter.send(msg.chat, { text: 'too late' });
    expect(late).toMatchObject({ ok: false, error: { code: 'not_found', retryable: false } });
  });

  it('answers waiting requests with 503 on stop(), in-band for streams', async () => {
    const host = await startHost({ reply: () => undefined });
    const client = openaiClient(host);
    const plain = client.chat.completions
      .create({ model: 'hermes-agent', messages: [{ role: 'user', content: 'plain' }] })
      .catch((e: unknown) => e);
    const streamed = (async () => {
      const stream = await client.chat.completions.create({
        model: 'hermes-agent',
        messages: [{ role: 'user', content: 'streamed' }],
        stream: true,
      });
      for await (const _ of stream) {
        // drain until the server ends the stream
      }
    })().catch((e: unknown) => e);
    await waitFor(() => host.received.length === 2, { what: 'both requests to reach the host' });
    await host.adapter.stop();
    expect(await plain).toMatchObject({ status: 503, code: 'server_shutting_down' });
    expect(await streamed).toMatchObject({ code: 'server_shutting_down' });
    expect(host.received.every((m) => rawOf(m).signal.reason === 'shutdown')).toBe(true);
  });

  it('refuses send() and edit() for a chat with nothing waiting, without throwing', async () => {
    const host = await startHost();
    expect(await host.adapter.send(dm('nobody'), { text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await host.adapter.edit(dm('nobody'), 'chatcmpl-x', 'x')).toMatchObject({ ok: false });
    expect(
      host.adapter.reportUsage(dm('nobody'), { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }),
    ).toBe(false);
  });

  it('refuses an edit() of a message id that is not the waiting reply', async () => {
    let editResult: unknown;
    const host = await startHost({
      reply: async (m) => {
        editResult = await host.adapter.edit(m.chat, 'chatcmpl-someone-else', 'x');
        return 'fine';
      },
    });
    const completion = await openaiClient(host).chat.completions.create({
      model: 'hermes-agent',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(completion.choices[0]?.message.content).toBe('fine');
    expect(editResult).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('can be started again after stop()', async () => {
    const adapter = new ApiServerAdapter({ host: '127.0.0.1', port: 0 });
    const context = createTestContext();
    try {
      await adapter.start(context.ctx);
      await adapter.stop();
      await adapter.start(context.ctx);
      const res = await fetch(`${adapter.address!.url}/health`, { signal: AbortSignal.timeout(5000) });
      expect(res.status).toBe(200);
    } finally {
      await adapter.stop();
      await context.cleanup();
    }
  });
});
