import { describe, expect, it } from 'vitest';
import { parseWecomConfig, wecomConfigFromEnv } from './config.js';
import { WECOM_DEFAULT_WS_URL } from './constants.js';

const creds = { WECOM_BOT_ID: 'bot', WECOM_SECRET: 's3cret' };

describe('wecomConfigFromEnv', () => {
  it('needs only the two credentials and fills the spec defaults', () => {
    const config = wecomConfigFromEnv(creds);
    expect(config).toMatchObject({
      botId: 'bot',
      secret: 's3cret',
      websocketUrl: WECOM_DEFAULT_WS_URL,
      dmPolicy: 'pairing',
      groupPolicy: 'pairing',
      heartbeatIntervalMs: 30_000,
      connectTimeoutMs: 20_000,
      requestTimeoutMs: 15_000,
      reconnectDelaysMs: [2_000, 5_000, 10_000, 30_000, 60_000],
      textBatchDelayMs: 600,
      textBatchSplitDelayMs: 2_000,
      mediaAllowPrivate: false,
      dedupe: { maxEntries: 1000, ttlMs: 300_000 },
    });
  });

  it('reads every WECOM_* variable of the spec', () => {
    const config = wecomConfigFromEnv({
      ...creds,
      WECOM_WEBSOCKET_URL: 'ws://127.0.0.1:9/',
      WECOM_DM_POLICY: 'AllowList',
      WECOM_GROUP_POLICY: 'disabled',
      WECOM_ALLOWED_USERS: 'alice, bob,,',
      WECOM_ALLOW_ALL_USERS: 'yes',
      WECOM_HOME_CHANNEL: 'wrGroup1',
      WECOM_HEARTBEAT_INTERVAL: '12.5',
      HERMES_WECOM_TEXT_BATCH_DELAY_SECONDS: '0.25',
      HERMES_WECOM_TEXT_BATCH_SPLIT_DELAY_SECONDS: '3',
      HERMES_MEDIA_ALLOW_PRIVATE: 'true',
    });
    expect(config).toMatchObject({
      websocketUrl: 'ws://127.0.0.1:9/',
      dmPolicy: 'allowlist',
      groupPolicy: 'disabled',
      homeChannel: 'wrGroup1',
      heartbeatIntervalMs: 12_500,
      textBatchDelayMs: 250,
      textBatchSplitDelayMs: 3_000,
      mediaAllowPrivate: true,
    });
    // The host reads WECOM_ALLOWED_USERS / WECOM_ALLOW_ALL_USERS through the descriptor and decides access once.
    expect(config).not.toHaveProperty('allowFrom');
    expect(config).not.toHaveProperty('allowAllUsers');
  });

  it('takes platforms.wecom keys (snake, camel or under extra) and lets the environment win', () => {
    const file = {
      extra: {
        bot_id: 'file-bot',
        secret: 'file-secret',
        websocketUrl: 'wss://example.test/ws',
        dm_policy: 'open',
        group_allow_from: ['g1'],
        groups: { G1: { allow_from: 'alice,bob' }, '*': {} },
      },
      home_channel: 'file-home',
    };
    const fromFile = wecomConfigFromEnv({}, file);
    expect(fromFile).toMatchObject({
      botId: 'file-bot',
      websocketUrl: 'wss://example.test/ws',
      dmPolicy: 'open',
      groupAllowFrom: ['g1'],
      groups: { G1: { allowFrom: ['alice', 'bob'] }, '*': {} },
      homeChannel: 'file-home',
    });
    expect(wecomConfigFromEnv({ WECOM_BOT_ID: 'env-bot', WECOM_DM_POLICY: 'disabled' }, file)).toMatchObject({
      botId: 'env-bot',
      secret: 'file-secret',
      dmPolicy: 'disabled',
    });
  });

  it('HERMES_WECOM_TEXT_BATCH_DELAY_SECONDS=0 turns text batching off, as in the Python gateway', () => {
    expect(wecomConfigFromEnv({ ...creds, HERMES_WECOM_TEXT_BATCH_DELAY_SECONDS: '0' })).toMatchObject({
      textBatching: false,
      textBatchDelayMs: 0,
    });
    expect(parseWecomConfig({ botId: 'b', secret: 's', textBatchDelayMs: 0 }).textBatching).toBe(false);
    expect(wecomConfigFromEnv({ ...creds, HERMES_WECOM_TEXT_BATCH_DELAY_SECONDS: '0.1' })).toMatchObject({
      textBatching: true,
      textBatchDelayMs: 100,
    });
    expect(() => wecomConfigFromEnv({ ...creds, HERMES_WECOM_TEXT_BATCH_DELAY_SECONDS: '-1' })).toThrow(
      /HERMES_WECOM_TEXT_BATCH_DELAY_SECONDS must be a number of seconds/,
    );
  });

  it('names the missing credentials and how to fix them', () => {
    expect(() => wecomConfigFromEnv({ WECOM_BOT_ID: 'bot' })).toThrow(/secret: WECOM_SECRET .* is required/);
    expect(() => wecomConfigFromEnv({})).toThrow(
      expect.objectContaining({
        code: 'config_invalid',
        retryable: false,
        fix: expect.stringContaining('WECOM_BOT_ID'),
      }),
    );
  });

  it('names a bad policy, URL or number', () => {
    expect(() => wecomConfigFromEnv({ ...creds, WECOM_DM_POLICY: 'everyone' })).toThrow(/dmPolicy/);
    expect(() => wecomConfigFromEnv({ ...creds, WECOM_WEBSOCKET_URL: 'http://x' })).toThrow(
      /websocketUrl.*ws:\/\//,
    );
    expect(() => wecomConfigFromEnv({ ...creds, WECOM_HEARTBEAT_INTERVAL: 'soon' })).toThrow(
      /WECOM_HEARTBEAT_INTERVAL/,
    );
    expect(() => parseWecomConfig({ botId: 'b', secret: 's', maxMediaBytes: 30 * 1024 * 1024 })).toThrow(
      /maxMediaBytes/,
    );
  });
});

describe('moved access keys', () => {
  it('refuses platforms.wecom.allow_from with the fix instead of ignoring it', () => {
    const env = { WECOM_BOT_ID: 'bot', WECOM_SECRET: 'secret-123456' };
    expect(() => wecomConfigFromEnv(env, { allow_from: ['alice'] })).toThrow(/allow_from is no longer read/);
    expect(() => wecomConfigFromEnv(env, { extra: { allow_all_users: true } })).toThrow(/no longer read/);
  });
});
