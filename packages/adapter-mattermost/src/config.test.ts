import { AdapterError } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { configFromEnv, parseMattermostConfig } from './config.js';
import { mattermostDescriptor, normalizeMattermostUserId } from './descriptor.js';

const base = { MATTERMOST_URL: 'https://chat.example.com', MATTERMOST_TOKEN: 'secret-token' };

describe('mattermost configFromEnv', () => {
  it('reads the Hermes env var names', () => {
    const config = configFromEnv({
      ...base,
      MATTERMOST_ALLOWED_USERS: 'abc, def,,',
      MATTERMOST_ALLOW_ALL_USERS: 'true',
      MATTERMOST_HOME_CHANNEL: 'town-square-id',
      MATTERMOST_REQUIRE_MENTION: 'false',
      MATTERMOST_REPLY_MODE: 'OFF',
    });
    expect(config.url).toBe('https://chat.example.com');
    expect(config.token).toBe('secret-token');
    expect(config.allowedUsers).toEqual(['abc', 'def']);
    expect(config.allowAllUsers).toBe(true);
    expect(config.homeChannel).toBe('town-square-id');
    expect(config.requireMention).toBe(false);
    expect(config.replyMode).toBe('off');
    expect(config.actions).toBeUndefined();
  });

  it('defaults: mentions required in channels, replies in threads, reconnect 2 → 60 s', () => {
    const config = configFromEnv(base);
    expect(config.requireMention).toBe(true);
    expect(config.replyMode).toBe('thread');
    expect(config.reconnect).toEqual({ initialMs: 2_000, maxMs: 60_000 });
  });

  it('lets env override config.yaml and keeps file values env does not set', () => {
    const config = configFromEnv(
      { ...base, MATTERMOST_TOKEN: 'from-env' },
      { token: 'from-file', allowedUsers: ['carol'], replyMode: 'off' },
    );
    expect(config.token).toBe('from-env');
    expect(config.allowedUsers).toEqual(['carol']);
    expect(config.replyMode).toBe('off');
  });

  it('names the missing variables when the URL or token is absent', () => {
    expect(() => configFromEnv({})).toThrow(AdapterError);
    expect(() => configFromEnv({ MATTERMOST_URL: base.MATTERMOST_URL })).toThrow(
      /token is missing: set MATTERMOST_TOKEN/,
    );
    expect(() => configFromEnv({ MATTERMOST_TOKEN: 't' })).toThrow(/url .*set MATTERMOST_URL/);
  });

  it('refuses a reply mode it does not know, naming the key', () => {
    expect(() => configFromEnv({ ...base, MATTERMOST_REPLY_MODE: 'sideways' })).toThrow(/replyMode/);
  });

  it('reads the button endpoint and refuses a public bind without a secret', () => {
    const config = configFromEnv({
      ...base,
      MATTERMOST_ACTIONS_URL: 'http://hermes.internal:8650',
      MATTERMOST_ACTIONS_PORT: '8650',
    });
    expect(config.actions).toEqual({
      publicUrl: 'http://hermes.internal:8650',
      host: '127.0.0.1',
      port: 8650,
    });
    expect(() =>
      configFromEnv({ ...base, MATTERMOST_ACTIONS_URL: 'http://h:1', MATTERMOST_ACTIONS_HOST: '0.0.0.0' }),
    ).toThrow(/actions\.host .*MATTERMOST_ACTIONS_SECRET/);
    const open = configFromEnv({
      ...base,
      MATTERMOST_ACTIONS_URL: 'http://h:1',
      MATTERMOST_ACTIONS_HOST: '0.0.0.0',
      MATTERMOST_ACTIONS_SECRET: 'a-long-enough-secret',
    });
    expect(open.actions?.host).toBe('0.0.0.0');
    expect(() =>
      configFromEnv({ ...base, MATTERMOST_ACTIONS_URL: 'http://h:1', MATTERMOST_ACTIONS_PORT: 'eighty' }),
    ).toThrow(/actions\.port/);
  });

  it('rejects a non-http URL', () => {
    expect(() => parseMattermostConfig({ url: 'ftp://chat.example.com', token: 't' })).toThrow(/url/);
  });
});

describe('mattermost descriptor', () => {
  it('is enabled by MATTERMOST_URL + MATTERMOST_TOKEN and redacts the secrets', () => {
    expect(mattermostDescriptor.kind).toBe('chat');
    expect(mattermostDescriptor.requiredEnv).toEqual(['MATTERMOST_URL', 'MATTERMOST_TOKEN']);
    expect(mattermostDescriptor.secretEnv).toEqual(['MATTERMOST_TOKEN', 'MATTERMOST_ACTIONS_SECRET']);
    expect(mattermostDescriptor.allowedUsersEnv).toBe('MATTERMOST_ALLOWED_USERS');
    expect(mattermostDescriptor.homeChannelEnv).toBe('MATTERMOST_HOME_CHANNEL');
    expect(mattermostDescriptor.configFromEnv(base).token).toBe('secret-token');
  });

  it('normalises user ids as people copy them', () => {
    expect(normalizeMattermostUserId(' @AbCdEf123 ')).toBe('abcdef123');
    expect(mattermostDescriptor.normalizeUserId?.('ID1')).toBe('id1');
  });
});
