import { describe, expect, it } from 'vitest';
import { telegramConfigFromEnv } from './config-from-env.js';
import { telegramDescriptor } from './descriptor.js';

const TOKEN = '123456789:AAabcdefghijklmnopqrstuvwxyz0123456';

describe('telegramConfigFromEnv', () => {
  it('reads the Hermes env var names', () => {
    const config = telegramConfigFromEnv({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/',
      TELEGRAM_REQUIRE_MENTION: 'true',
      TELEGRAM_MENTION_PATTERNS: '["^hermes\\\\b", "bot,"]',
      TELEGRAM_GROUP_ALLOWED_USERS: '1001, @alice',
      TELEGRAM_GROUP_ALLOWED_CHATS: '-100123',
      TELEGRAM_ALLOWED_USERS: '42',
      TELEGRAM_HOME_CHANNEL: '-100123',
      TELEGRAM_STATE_DIR: '/var/lib/hermes/telegram',
      TELEGRAM_REACTIONS: 'false',
      HERMES_TELEGRAM_TEXT_BATCH_DELAY_SECONDS: '0.25',
    });
    expect(config).toMatchObject({
      token: TOKEN,
      apiRoot: 'http://127.0.0.1:8081',
      requireMention: true,
      mentionPatterns: ['^hermes\\b', 'bot,'],
      groupAllowedUsers: ['1001', '@alice'],
      groupAllowedChats: ['-100123'],
      allowedUsers: ['42'],
      homeChannel: '-100123',
      stateDir: '/var/lib/hermes/telegram',
      reactions: false,
      textBatchDelayMs: 250,
    });
    expect(config.webhook).toBeUndefined();
  });

  it('HERMES_TELEGRAM_TEXT_BATCH_DELAY_SECONDS=0 turns text batching off, as in the Python gateway', () => {
    const env = { TELEGRAM_BOT_TOKEN: TOKEN };
    expect(telegramConfigFromEnv({ ...env, HERMES_TELEGRAM_TEXT_BATCH_DELAY_SECONDS: '0' })).toMatchObject({
      textBatching: false,
      textBatchDelayMs: 0,
    });
    expect(telegramConfigFromEnv({ ...env, HERMES_TELEGRAM_TEXT_BATCH_DELAY_SECONDS: '0.1' })).toMatchObject({
      textBatching: true,
      textBatchDelayMs: 100,
    });
  });

  it('takes platforms.telegram from config.yaml (extra included); the env wins', () => {
    const config = telegramConfigFromEnv(
      { TELEGRAM_REQUIRE_MENTION: 'false' },
      {
        token: TOKEN,
        require_mention: true,
        extra: { mention_patterns: ['hey bot'], group_allowed_chats: [-1] },
      },
    );
    expect(config.requireMention).toBe(false);
    expect(config.mentionPatterns).toEqual(['hey bot']);
    expect(config.groupAllowedChats).toEqual(['-1']);
  });

  it('webhook mode from TELEGRAM_WEBHOOK_URL, with its secret, host and port', () => {
    const config = telegramConfigFromEnv({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_URL: 'https://bot.example.com/telegram',
      TELEGRAM_WEBHOOK_SECRET: 'a-long-enough-secret_123',
      TELEGRAM_WEBHOOK_PORT: '9000',
    });
    expect(config.webhook).toEqual({
      url: 'https://bot.example.com/telegram',
      secret: 'a-long-enough-secret_123',
      host: '127.0.0.1',
      port: 9000,
    });
  });

  it('names the problem and the fix for bad input', () => {
    expect(() => telegramConfigFromEnv({})).toThrow(/TELEGRAM_BOT_TOKEN/);
    expect(() => telegramConfigFromEnv({ TELEGRAM_BOT_TOKEN: 'not a token' })).toThrow(
      /does not look like a bot token/,
    );
    expect(() =>
      telegramConfigFromEnv({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: 'https://x.example/h' }),
    ).toThrow(/webhook.secret/);
    expect(() =>
      telegramConfigFromEnv({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MENTION_PATTERNS: '["(unclosed"]' }),
    ).toThrow(/mention pattern/);
    expect(() =>
      telegramConfigFromEnv({
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_WEBHOOK_URL: 'https://x.example/h',
        TELEGRAM_WEBHOOK_PORT: 'abc',
      }),
    ).toThrow(/TELEGRAM_WEBHOOK_PORT must be a whole number/);
    try {
      telegramConfigFromEnv({ TELEGRAM_BOT_TOKEN: 'nope' });
    } catch (error) {
      expect(error).toMatchObject({ code: 'config_invalid', fix: expect.stringMatching(/BotFather/) });
      expect(String((error as Error).message)).not.toContain('nope');
    }
  });

  it('the descriptor lists what the gateway catalog needs', () => {
    expect(telegramDescriptor.requiredEnv).toEqual(['TELEGRAM_BOT_TOKEN']);
    expect(telegramDescriptor.allowedUsersEnv).toBe('TELEGRAM_ALLOWED_USERS');
    expect(telegramDescriptor.allowAllUsersEnv).toBe('TELEGRAM_ALLOW_ALL_USERS');
    expect(telegramDescriptor.homeChannelEnv).toBe('TELEGRAM_HOME_CHANNEL');
    expect(telegramDescriptor.secretEnv).toContain('TELEGRAM_BOT_TOKEN');
    const adapter = telegramDescriptor.createAdapter(
      telegramDescriptor.configFromEnv({ TELEGRAM_BOT_TOKEN: TOKEN }),
    );
    expect(adapter.platform).toBe('telegram');
  });
});
