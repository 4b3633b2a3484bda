import { AdapterError, createMemoryLogger } from '@hermes/adapter-core';
import { createTestContext } from '@hermes/adapter-testkit';
import { describe, expect, it } from 'vitest';
import { post, startReceiver } from '../test/harness.js';
import { INSECURE_NO_AUTH, WebhookAdapter } from './index.js';

async function startError(adapter: WebhookAdapter): Promise<AdapterError> {
  const context = createTestContext();
  try {
    const error = await adapter.start(context.ctx).catch((e: unknown) => e);
    if (!(error instanceof AdapterError)) throw new Error(`expected an AdapterError, got ${String(error)}`);
    expect(adapter.address).toBeUndefined();
    expect(context.statuses).not.toContain('online');
    return error;
  } finally {
    await adapter.stop();
    await context.cleanup();
  }
}

describe('start rules', () => {
  it('refuses a route without any secret, naming the route and WEBHOOK_SECRET', async () => {
    const error = await startError(
      new WebhookAdapter({ host: '127.0.0.1', port: 0, routes: { alerts: {} } }),
    );
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain('"alerts"');
    expect(error.message).toContain('WEBHOOK_SECRET');
    expect(error.fix).toContain('routes.alerts.secret');
  });

  it('refuses INSECURE_NO_AUTH on a non-loopback host, naming WEBHOOK_HOST', async () => {
    const error = await startError(
      new WebhookAdapter({ host: '0.0.0.0', port: 0, routes: { dev: { secret: INSECURE_NO_AUTH } } }),
    );
    expect(error.message).toContain('WEBHOOK_HOST');
    expect(error.message).toContain(INSECURE_NO_AUTH);
  });

  it('binds 127.0.0.1 when no host is configured, so INSECURE_NO_AUTH works there too', async () => {
    const adapter = new WebhookAdapter({ port: 0, routes: { dev: { secret: INSECURE_NO_AUTH } } });
    const context = createTestContext();
    try {
      await adapter.start(context.ctx);
      expect(adapter.address?.host).toBe('127.0.0.1');
    } finally {
      await adapter.stop();
      await context.cleanup();
    }
  });

  it('refuses to start with no routes at all', async () => {
    const error = await startError(new WebhookAdapter({ host: '127.0.0.1', port: 0 }));
    expect(error.message).toContain('no webhook routes');
  });

  it('serves an INSECURE_NO_AUTH route on loopback without any signature', async () => {
    const r = await startReceiver({ routes: { dev: { secret: INSECURE_NO_AUTH, prompt: 'hello {name}' } } });
    const res = await post(r.routeUrl('dev'), '{"name":"local"}');
    expect(res.status).toBe(202);
    expect(r.received[0]?.text).toBe('hello local');
  });

  it('probe() validates routes and the port', async () => {
    expect(await new WebhookAdapter({ host: '127.0.0.1', port: 0, routes: { a: {} } }).probe()).toMatchObject(
      {
        ok: false,
        error: { code: 'config_invalid' },
      },
    );
    expect(
      await new WebhookAdapter({
        host: '127.0.0.1',
        port: 0,
        secret: 'global-secret',
        routes: { a: {} },
      }).probe(),
    ).toMatchObject({
      ok: true,
    });
  });
});

describe('lifecycle and replies', () => {
  it('reports online, then offline on stop, frees the port, and starts again', async () => {
    const adapter = new WebhookAdapter({
      host: '127.0.0.1',
      port: 0,
      secret: 'global-secret',
      routes: { a: {} },
    });
    const context = createTestContext();
    try {
      await adapter.start(context.ctx);
      const url = adapter.address!.url;
      await adapter.stop();
      expect(context.statuses).toEqual(['connecting', 'online', 'offline']);
      await expect(fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
      await adapter.start(context.ctx);
      expect(
        (await fetch(`${adapter.address!.url}/health`, { signal: AbortSignal.timeout(2000) })).status,
      ).toBe(200);
    } finally {
      await adapter.stop();
      await context.cleanup();
    }
  });

  it('writes a reply sent to an event chat to the log (deliver: log)', async () => {
    const logger = createMemoryLogger();
    const r = await startReceiver({ routes: { a: { secret: INSECURE_NO_AUTH } } }, { logger });
    await post(r.routeUrl('a'), '{}');
    const result = await r.adapter.send(r.received[0]!.chat, { text: 'the agent says hi' });
    expect(result).toMatchObject({ ok: true });
    expect(logger.find('info', 'the agent says hi')).toHaveLength(1);
  });
});
