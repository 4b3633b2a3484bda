import { AdapterError } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { configFromEnv, parseDingtalkConfig } from './config.js';
import { dingtalkDescriptor } from './descriptor.js';

const creds = { DINGTALK_CLIENT_ID: 'dingabc', DINGTALK_CLIENT_SECRET: 'secret-1' };

describe('dingtalk configFromEnv', () => {
  it('reads the Hermes env var names', () => {
    const config = configFromEnv({
      ...creds,
      DINGTALK_ALLOWED_USERS: 'alice, bob,,',
      DINGTALK_ALLOW_ALL_USERS: 'true',
      DINGTALK_HOME_CHANNEL: 'cidHome',
      DINGTALK_REQUIRE_MENTION: 'yes',
      DINGTALK_FREE_RESPONSE_CHATS: 'cidA,cidB',
      DINGTALK_ALLOWED_CHATS: 'cidA',
      DINGTALK_MENTION_PATTERNS: '["^hermes\\\\b", "小助手"]',
      DINGTALK_API_BASE: 'http://127.0.0.1:9/',
      DINGTALK_ROBOT_CODE: 'robot-1',
      DINGTALK_CARD_TEMPLATE_ID: 'tpl.schema',
    });
    expect(config).toMatchObject({
      clientId: 'dingabc',
      clientSecret: 'secret-1',
      allowedUsers: ['alice', 'bob'],
      allowAllUsers: true,
      homeChannel: 'cidHome',
      requireMention: true,
      freeResponseChats: ['cidA', 'cidB'],
      allowedChats: ['cidA'],
      mentionPatterns: ['^hermes\\b', '小助手'],
      apiBase: 'http://127.0.0.1:9',
      robotCode: 'robot-1',
      cardTemplateId: 'tpl.schema',
    });
  });

  it('defaults to api.dingtalk.com, no mention requirement and the Python reconnect schedule', () => {
    const config = configFromEnv(creds);
    expect(config.apiBase).toBe('https://api.dingtalk.com');
    expect(config.requireMention).toBe(false);
    expect(config.reconnectDelaysMs).toEqual([2_000, 5_000, 10_000, 30_000, 60_000]);
  });

  it('lets env override config.yaml (snake_case keys) and keeps file values env does not set', () => {
    const config = configFromEnv(
      { DINGTALK_CLIENT_ID: 'from-env' },
      { client_id: 'from-file', client_secret: 's', free_response_chats: ['cidX'], require_mention: true },
    );
    expect(config.clientId).toBe('from-env');
    expect(config.clientSecret).toBe('s');
    expect(config.freeResponseChats).toEqual(['cidX']);
    expect(config.requireMention).toBe(true);
  });

  it('accepts mention patterns one per line', () => {
    const config = configFromEnv({ ...creds, DINGTALK_MENTION_PATTERNS: 'hey, bot\n^hermes' });
    expect(config.mentionPatterns).toEqual(['hey, bot', '^hermes']);
  });

  it('names the missing variables when the credentials are absent', () => {
    expect(() => configFromEnv({})).toThrow(AdapterError);
    expect(() => configFromEnv({})).toThrow(/clientId is missing: set DINGTALK_CLIENT_ID/);
    expect(() => configFromEnv({ DINGTALK_CLIENT_ID: 'x' })).toThrow(/set DINGTALK_CLIENT_SECRET/);
  });

  it('refuses a mention pattern that is not a regular expression, naming it', () => {
    expect(() => configFromEnv({ ...creds, DINGTALK_MENTION_PATTERNS: '(unclosed' })).toThrow(
      /mentionPatterns.0 is not a valid regular expression/,
    );
  });

  it('refuses an API base that is not an origin', () => {
    expect(() => parseDingtalkConfig({ clientId: 'a', clientSecret: 'b', apiBase: 'ftp://x/y' })).toThrow(
      /apiBase must be an http\(s\) origin/,
    );
  });
});

describe('dingtalk descriptor', () => {
  it('is enabled by the client id and secret, and marks the secret', () => {
    expect(dingtalkDescriptor.requiredEnv).toEqual(['DINGTALK_CLIENT_ID', 'DINGTALK_CLIENT_SECRET']);
    expect(dingtalkDescriptor.secretEnv).toContain('DINGTALK_CLIENT_SECRET');
    expect(dingtalkDescriptor.kind).toBe('chat');
    expect(dingtalkDescriptor.allowedUsersEnv).toBe('DINGTALK_ALLOWED_USERS');
    expect(dingtalkDescriptor.homeChannelEnv).toBe('DINGTALK_HOME_CHANNEL');
    expect(dingtalkDescriptor.normalizeUserId?.('  manager123 ')).toBe('manager123');
  });
});
