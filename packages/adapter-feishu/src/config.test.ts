import { AdapterError } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';
import { feishuDescriptor, normalizeFeishuUserId } from './descriptor.js';

const APP_ID = 'cli_a1b2c3d4e5f60718';

describe('feishu configFromEnv', () => {
  it('reads the Python gateway env names', () => {
    const config = configFromEnv({
      FEISHU_APP_ID: APP_ID,
      FEISHU_APP_SECRET: 'secret',
      FEISHU_DOMAIN: 'lark',
      FEISHU_CONNECTION_MODE: 'webhook',
      FEISHU_ALLOWED_USERS: 'ou_a, ou_b,,',
      FEISHU_ALLOW_ALL_USERS: 'true',
      FEISHU_HOME_CHANNEL: 'oc_home',
      FEISHU_WEBHOOK_PORT: '9000',
      FEISHU_REACTIONS: 'false',
      HERMES_FEISHU_TEXT_BATCH_DELAY_SECONDS: '1.5',
    });
    expect(config).toMatchObject({
      appId: APP_ID,
      appSecret: 'secret',
      domain: 'https://open.larksuite.com',
      connectionMode: 'webhook',
      allowedUsers: ['ou_a', 'ou_b'],
      allowAllUsers: true,
      homeChannel: 'oc_home',
      webhookHost: '127.0.0.1',
      webhookPort: 9000,
      webhookPath: '/feishu/webhook',
      reactions: false,
      textBatchDelayMs: 1500,
    });
  });

  it('HERMES_FEISHU_TEXT_BATCH_DELAY_SECONDS=0 turns text batching off; a value that is not seconds is named', () => {
    const creds = { FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 's' };
    expect(configFromEnv({ ...creds, HERMES_FEISHU_TEXT_BATCH_DELAY_SECONDS: '0' })).toMatchObject({
      textBatching: false,
      textBatchDelayMs: 0,
    });
    expect(configFromEnv(creds)).toMatchObject({ textBatching: true, textBatchDelayMs: 600 });
    for (const bad of ['soon', '-1']) {
      expect(() => configFromEnv({ ...creds, HERMES_FEISHU_TEXT_BATCH_DELAY_SECONDS: bad })).toThrow(
        expect.objectContaining({
          code: 'config_invalid',
          message: expect.stringContaining(
            'HERMES_FEISHU_TEXT_BATCH_DELAY_SECONDS must be a number of seconds',
          ),
        }),
      );
    }
  });

  it('defaults to open.feishu.cn over the long connection, and takes a base URL as domain', () => {
    expect(configFromEnv({ FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 's' })).toMatchObject({
      domain: 'https://open.feishu.cn',
      connectionMode: 'websocket',
    });
    expect(
      configFromEnv({ FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 's', FEISHU_DOMAIN: 'http://127.0.0.1:9/' })
        .domain,
    ).toBe('http://127.0.0.1:9');
  });

  it('lets env override config.yaml and keeps file values env does not set', () => {
    const config = configFromEnv(
      { FEISHU_APP_SECRET: 'from-env' },
      { appId: APP_ID, appSecret: 'from-file', allowedUsers: ['ou_c'] },
    );
    expect(config.appSecret).toBe('from-env');
    expect(config.allowedUsers).toEqual(['ou_c']);
  });

  it('names the variable to set when a credential is missing or malformed', () => {
    expect(() => configFromEnv({})).toThrow(AdapterError);
    expect(() => configFromEnv({ FEISHU_APP_SECRET: 's' })).toThrow(/set FEISHU_APP_ID/);
    expect(() => configFromEnv({ FEISHU_APP_ID: 'app1', FEISHU_APP_SECRET: 's' })).toThrow(
      /cli_ followed by 16 hex/,
    );
    expect(() => configFromEnv({ FEISHU_APP_ID: APP_ID })).toThrow(/set FEISHU_APP_SECRET/);
    expect(() =>
      configFromEnv({ FEISHU_APP_ID: APP_ID, FEISHU_APP_SECRET: 's', FEISHU_DOMAIN: 'ftp://x' }),
    ).toThrow(/FEISHU_DOMAIN/);
  });

  it('refuses a webhook on a public interface without a signing key', () => {
    expect(() =>
      configFromEnv({
        FEISHU_APP_ID: APP_ID,
        FEISHU_APP_SECRET: 's',
        FEISHU_CONNECTION_MODE: 'webhook',
        FEISHU_WEBHOOK_HOST: '0.0.0.0',
      }),
    ).toThrow(/FEISHU_ENCRYPT_KEY/);
  });
});

describe('feishu descriptor', () => {
  it('is enabled by app id + secret and lists every secret', () => {
    expect(feishuDescriptor.requiredEnv).toEqual(['FEISHU_APP_ID', 'FEISHU_APP_SECRET']);
    expect(feishuDescriptor.secretEnv).toEqual([
      'FEISHU_APP_SECRET',
      'FEISHU_ENCRYPT_KEY',
      'FEISHU_VERIFICATION_TOKEN',
    ]);
    expect(feishuDescriptor.kind).toBe('chat');
    expect(normalizeFeishuUserId(' feishu:ou_Abc ')).toBe('ou_Abc');
  });
});
