import { AdapterError } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { configFromEnv, parseSignalConfig } from './config.js';
import { signalDescriptor } from './descriptor.js';

const required = { SIGNAL_HTTP_URL: 'http://127.0.0.1:8080', SIGNAL_ACCOUNT: '+15551234567' };

describe('signal configFromEnv', () => {
  it('reads the Hermes env var names', () => {
    const config = configFromEnv({
      ...required,
      SIGNAL_ALLOWED_USERS: '+15557654321, 0b2f9f2e-1111-4c4c-8a8a-123456789abc,,',
      SIGNAL_ALLOW_ALL_USERS: 'true',
      SIGNAL_GROUP_ALLOWED_USERS: 'abc=,group:def=',
      SIGNAL_IGNORE_STORIES: 'false',
      SIGNAL_REQUIRE_MENTION: 'yes',
      SIGNAL_HOME_CHANNEL: '+15557654321',
    });
    expect(config.httpUrl).toBe('http://127.0.0.1:8080');
    expect(config.account).toBe('+15551234567');
    expect(config.allowedUsers).toEqual(['+15557654321', '0b2f9f2e-1111-4c4c-8a8a-123456789abc']);
    expect(config.allowAllUsers).toBe(true);
    expect(config.groupAllowedUsers).toEqual(['abc=', 'group:def=']);
    expect(config.ignoreStories).toBe(false);
    expect(config.requireMention).toBe(true);
    expect(config.homeChannel).toBe('+15557654321');
  });

  it('defaults as the Python gateway does: stories ignored, no mention needed, groups off, 100 MB', () => {
    const config = configFromEnv(required);
    expect(config.ignoreStories).toBe(true);
    expect(config.requireMention).toBe(false);
    expect(config.groupAllowedUsers).toEqual([]);
    expect(config.maxMediaBytes).toBe(100 * 1024 * 1024);
    expect(config.healthCheckIntervalMs).toBe(30_000);
    expect(config.staleAfterMs).toBe(120_000);
    expect([config.reconnectInitialMs, config.reconnectMaxMs]).toEqual([2_000, 60_000]);
  });

  it('lets env override config.yaml (snake_case keys) and keeps what env does not set', () => {
    const config = configFromEnv(
      { SIGNAL_ACCOUNT: '+15550000009' },
      { http_url: 'http://127.0.0.1:9999', account: '+15550000001', require_mention: true },
    );
    expect(config.account).toBe('+15550000009');
    expect(config.httpUrl).toBe('http://127.0.0.1:9999');
    expect(config.requireMention).toBe(true);
  });

  it('names the missing variables', () => {
    expect(() => configFromEnv({})).toThrow(AdapterError);
    expect(() => configFromEnv({})).toThrow(/SIGNAL_HTTP_URL/);
    expect(() => configFromEnv({ SIGNAL_HTTP_URL: 'http://127.0.0.1:8080' })).toThrow(
      /account is missing: set SIGNAL_ACCOUNT/,
    );
  });

  it('refuses an account that is not E.164 and says what it must look like', () => {
    expect(() => parseSignalConfig({ httpUrl: 'http://127.0.0.1:8080', account: '555-1234' })).toThrow(
      /E\.164 number such as \+15551234567/,
    );
  });

  it('the descriptor is enabled by SIGNAL_HTTP_URL + SIGNAL_ACCOUNT and has no secret to redact', () => {
    expect(signalDescriptor.requiredEnv).toEqual(['SIGNAL_HTTP_URL', 'SIGNAL_ACCOUNT']);
    expect(signalDescriptor.secretEnv).toEqual([]);
    expect(signalDescriptor.kind).toBe('chat');
    expect(signalDescriptor.allowedUsersEnv).toBe('SIGNAL_ALLOWED_USERS');
    expect(signalDescriptor.homeChannelEnv).toBe('SIGNAL_HOME_CHANNEL');
  });
});
