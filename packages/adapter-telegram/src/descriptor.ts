import type { PlatformDescriptor } from '@hermes/adapter-core';
import { TelegramAdapter } from './adapter.js';
import { type TelegramConfig, telegramConfigSchema } from './config.js';
import { telegramConfigFromEnv } from './config-from-env.js';
import { TELEGRAM_PLATFORM } from './constants.js';
import { normalizeTelegramUserId } from './user-id.js';

/** What the gateway's platform catalog needs: enabled by TELEGRAM_BOT_TOKEN. */
export const telegramDescriptor: PlatformDescriptor<TelegramConfig> = {
  platform: TELEGRAM_PLATFORM,
  label: 'Telegram',
  requiredEnv: ['TELEGRAM_BOT_TOKEN'],
  optionalEnv: [
    'TELEGRAM_ALLOWED_USERS',
    'TELEGRAM_ALLOW_ALL_USERS',
    'TELEGRAM_HOME_CHANNEL',
    'TELEGRAM_REQUIRE_MENTION',
    'TELEGRAM_MENTION_PATTERNS',
    'TELEGRAM_GROUP_ALLOWED_USERS',
    'TELEGRAM_GROUP_ALLOWED_CHATS',
    'TELEGRAM_REACTIONS',
    'TELEGRAM_API_ROOT',
    'TELEGRAM_STATE_DIR',
    'TELEGRAM_WEBHOOK_URL',
    'TELEGRAM_WEBHOOK_SECRET',
    'TELEGRAM_WEBHOOK_HOST',
    'TELEGRAM_WEBHOOK_PORT',
    'HERMES_TELEGRAM_TEXT_BATCH_DELAY_SECONDS',
    'HERMES_TELEGRAM_TEXT_BATCH_SPLIT_DELAY_SECONDS',
    'HERMES_MEDIA_ALLOW_PRIVATE',
  ],
  secretEnv: ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET'],
  allowedUsersEnv: 'TELEGRAM_ALLOWED_USERS',
  allowAllUsersEnv: 'TELEGRAM_ALLOW_ALL_USERS',
  homeChannelEnv: 'TELEGRAM_HOME_CHANNEL',
  normalizeUserId: normalizeTelegramUserId,
  setupHelp: [
    'Talk to @BotFather in Telegram: /newbot, pick a name and a username, and copy the token it gives you',
    'into TELEGRAM_BOT_TOKEN. By default the gateway long-polls Telegram, so no public URL is needed.',
    'Access: TELEGRAM_ALLOWED_USERS=123456789,alice (user ids or usernames; @userinfobot tells you your id),',
    'or TELEGRAM_ALLOW_ALL_USERS=true. In groups, TELEGRAM_REQUIRE_MENTION=true answers only @mentions,',
    'replies to the bot and commands; TELEGRAM_GROUP_ALLOWED_CHATS / _USERS narrow it further. For the bot',
    'to see every group message, turn its privacy mode off in @BotFather (/setprivacy).',
    'Webhook mode instead of polling: TELEGRAM_WEBHOOK_URL=https://your.host/telegram plus',
    'TELEGRAM_WEBHOOK_SECRET (letters, digits, _ and -); the local server listens on TELEGRAM_WEBHOOK_HOST',
    '(127.0.0.1) : TELEGRAM_WEBHOOK_PORT (8443) behind your TLS proxy.',
  ].join('\n'),
  configSchema: telegramConfigSchema,
  configFromEnv: telegramConfigFromEnv,
  createAdapter: (config) => new TelegramAdapter(config),
};
