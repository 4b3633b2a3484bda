import { AdapterError } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import {
  isWebhookEnabled,
  parseDeliverTarget,
  parseWebhookConfig,
  webhookConfigFromEnv,
  webhookDescriptor,
} from './index.js';

function errorOf(fn: () => unknown): AdapterError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AdapterError) return e;
    throw e;
  }
  throw new Error('expected an AdapterError');
}

describe('webhookConfigFromEnv', () => {
  it('uses the original defaults (port 8644, 1 MB, 30/min, 1 h idempotency) but binds loopback', () => {
    expect(webhookConfigFromEnv({})).toMatchObject({
      host: '127.0.0.1',
      authFailuresPerMinute: 30,
      port: 8644,
      maxBodyBytes: 1024 * 1024,
      rateLimitPerMinute: 30,
      idempotencyTtlMs: 3_600_000,
      routes: {},
    });
  });

  it('reads WEBHOOK_PORT, WEBHOOK_SECRET, WEBHOOK_HOST and routes from platforms.webhook.extra.routes', () => {
    const config = webhookConfigFromEnv(
      { WEBHOOK_PORT: '9000', WEBHOOK_SECRET: 'global-secret', WEBHOOK_HOST: '127.0.0.1' },
      {
        enabled: true,
        port: 1234,
        extra: {
          routes: {
            github: {
              secret: 'gh',
              scheme: 'github',
              events: ['pull_request'],
              prompt: 'PR {pull_request.title}',
              deliver: 'telegram:123',
              deliver_extra: { a: 1 },
            },
          },
        },
      },
    );
    expect(config).toMatchObject({ port: 9000, secret: 'global-secret', host: '127.0.0.1' });
    expect(config.routes['github']).toEqual({
      secret: 'gh',
      scheme: 'github',
      events: ['pull_request'],
      prompt: 'PR {pull_request.title}',
      deliver: 'telegram:123',
      deliverExtra: { a: 1 },
    });
  });

  it('names unknown and unsupported keys', () => {
    expect(
      errorOf(() => webhookConfigFromEnv({}, { routes: { r: { secret: 's', coalesce: { key: 'x' } } } }))
        .message,
    ).toContain('coalesce');
    expect(errorOf(() => webhookConfigFromEnv({}, { portt: 1 })).message).toContain('portt');
    expect(
      errorOf(() => webhookConfigFromEnv({}, { routes: { r: { scheme: 'hmac-md5' } } })).message,
    ).toContain('routes.r.scheme');
    expect(
      errorOf(() => webhookConfigFromEnv({}, { routes: { r: { deliver: 'github_comment' } } })).message,
    ).toContain('github_comment');
    for (const deliver of ['telegram:', ':123', 'two words']) {
      expect(errorOf(() => parseWebhookConfig({ routes: { r: { deliver } } })).message).toContain(
        '<platform>:<chat>[:<thread>]',
      );
    }
    expect(webhookConfigFromEnv({}, { auth_failures_per_minute: 5, routes: {} }).authFailuresPerMinute).toBe(
      5,
    );
    expect(errorOf(() => parseWebhookConfig({ routes: { 'bad name!': {} } })).message).toContain(
      'route names',
    );
    expect(() => webhookConfigFromEnv({ WEBHOOK_PORT: 'x' })).toThrow(/WEBHOOK_PORT/);
  });
});

describe('deliver targets', () => {
  it('parses log and <platform>[:<chat>[:<thread>]] with the core target parser', () => {
    expect(parseDeliverTarget('log')).toEqual({ ok: true, target: { kind: 'log' } });
    expect(parseDeliverTarget(undefined)).toEqual({ ok: true, target: { kind: 'log' } });
    expect(parseDeliverTarget('Telegram')).toEqual({
      ok: true,
      target: { kind: 'platform', target: 'telegram', platform: 'telegram' },
    });
    expect(parseDeliverTarget('telegram:-100123:42')).toEqual({
      ok: true,
      target: {
        kind: 'platform',
        target: 'telegram:-100123:42',
        platform: 'telegram',
        chatId: '-100123',
        threadId: '42',
      },
    });
    expect(parseDeliverTarget('matrix:!room:example.org')).toMatchObject({
      ok: true,
      target: { platform: 'matrix', chatId: '!room:example.org' },
    });
  });

  it('refuses what the parser refuses, and home, naming the problem', () => {
    expect(parseDeliverTarget('telegram: 1')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/spaces/),
    });
    expect(parseDeliverTarget('home')).toMatchObject({ ok: false, problem: expect.stringMatching(/"home"/) });
  });
});

describe('descriptor', () => {
  it('is enabled by WEBHOOK_ENABLED, config.yaml enabled wins', () => {
    expect(isWebhookEnabled({})).toBe(false);
    expect(isWebhookEnabled({ WEBHOOK_ENABLED: 'true' })).toBe(true);
    expect(isWebhookEnabled({ WEBHOOK_ENABLED: 'true' }, { enabled: false })).toBe(false);
  });

  it('describes the platform and builds an adapter', () => {
    expect(webhookDescriptor.platform).toBe('webhook');
    expect(webhookDescriptor.kind).toBe('events');
    expect(webhookDescriptor.secretEnv).toEqual(['WEBHOOK_SECRET']);
    const config = webhookDescriptor.configFromEnv({ WEBHOOK_SECRET: 'abc12345' }, { routes: { r: {} } });
    expect(webhookDescriptor.configSchema.parse(config)).toEqual(config);
    expect(webhookDescriptor.createAdapter(config).platform).toBe('webhook');
  });
});
