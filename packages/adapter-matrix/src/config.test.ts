import { AdapterError } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { configFromEnv, normalizeMatrixUserId } from './config.js';

describe('matrix configFromEnv', () => {
  it('reads the Hermes env var names', () => {
    const config = configFromEnv({
      MATRIX_HOMESERVER: 'https://matrix.example.org',
      MATRIX_ACCESS_TOKEN: 'secret-token',
      MATRIX_ALLOWED_USERS: '@alice:example.org, @bob:example.org,,',
      MATRIX_ALLOW_ALL_USERS: 'false',
      MATRIX_HOME_ROOM: '!home:example.org',
      MATRIX_REQUIRE_MENTION: 'false',
      MATRIX_ENCRYPTION: 'true',
    });
    expect(config.accessToken).toBe('secret-token');
    expect(config.allowedUsers).toEqual(['@alice:example.org', '@bob:example.org']);
    expect(config.homeChannel).toBe('!home:example.org');
    expect(config.requireMention).toBe(false);
    expect(config.encryption).toBe(true);
  });

  it('accepts a user id and password instead of a token, and env overrides config.yaml', () => {
    const config = configFromEnv(
      { MATRIX_USER_ID: '@bot:example.org', MATRIX_PASSWORD: ' pass word ' },
      {
        homeserver: 'https://matrix.example.org',
        userId: '@old:example.org',
        allowedUsers: ['@carol:example.org'],
      },
    );
    expect(config.userId).toBe('@bot:example.org');
    expect(config.password).toBe(' pass word ');
    expect(config.allowedUsers).toEqual(['@carol:example.org']);
    expect(config.requireMention).toBe(true);
    expect(config.encryption).toBe(false);
  });

  it('names what is missing when there is no credential', () => {
    expect(() => configFromEnv({ MATRIX_HOMESERVER: 'https://m.example.org' })).toThrow(AdapterError);
    expect(() => configFromEnv({ MATRIX_HOMESERVER: 'https://m.example.org' })).toThrow(
      /MATRIX_ACCESS_TOKEN/,
    );
    expect(() => configFromEnv({ MATRIX_ACCESS_TOKEN: 't' })).toThrow(/homeserver .*MATRIX_HOMESERVER/);
    expect(() =>
      configFromEnv({
        MATRIX_HOMESERVER: 'https://m.example.org',
        MATRIX_USER_ID: 'bot',
        MATRIX_PASSWORD: 'x',
      }),
    ).toThrow(/@name:server/);
  });

  it('normalizes user ids for allowlists', () => {
    expect(normalizeMatrixUserId(' @Alice:Example.org ')).toBe('@alice:example.org');
    expect(normalizeMatrixUserId('https://matrix.to/#/@Bob:example.org')).toBe('@bob:example.org');
  });
});
