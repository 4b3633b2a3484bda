import type { PlatformDescriptor } from '@hermes/adapter-core';
import { createFeishuAdapter } from './adapter.js';
import { configFromEnv, FEISHU_ENV, type FeishuConfig, feishuConfigSchema } from './config.js';
import { FEISHU_PLATFORM } from './constants.js';

/** Feishu ids are case-sensitive (`ou_…` open ids, `on_…` union ids); only a `feishu:` prefix is dropped. */
export function normalizeFeishuUserId(id: string): string {
  return id.trim().replace(/^feishu:(user:)?/i, '');
}

/** Enabled by FEISHU_APP_ID + FEISHU_APP_SECRET. */
export const feishuDescriptor: PlatformDescriptor<FeishuConfig> = {
  platform: FEISHU_PLATFORM,
  label: 'Feishu / Lark',
  kind: 'chat',
  requiredEnv: [FEISHU_ENV.appId, FEISHU_ENV.appSecret],
  optionalEnv: [
    FEISHU_ENV.domain,
    FEISHU_ENV.connectionMode,
    FEISHU_ENV.allowedUsers,
    FEISHU_ENV.allowAllUsers,
    FEISHU_ENV.allowBots,
    FEISHU_ENV.requireMention,
    FEISHU_ENV.homeChannel,
    FEISHU_ENV.encryptKey,
    FEISHU_ENV.verificationToken,
    FEISHU_ENV.botOpenId,
    FEISHU_ENV.botUserId,
    FEISHU_ENV.botName,
    FEISHU_ENV.webhookHost,
    FEISHU_ENV.webhookPort,
    FEISHU_ENV.webhookPath,
    FEISHU_ENV.reactions,
    FEISHU_ENV.textBatchDelay,
    'HERMES_MEDIA_ALLOW_PRIVATE',
  ],
  secretEnv: [FEISHU_ENV.appSecret, FEISHU_ENV.encryptKey, FEISHU_ENV.verificationToken],
  allowedUsersEnv: FEISHU_ENV.allowedUsers,
  allowAllUsersEnv: FEISHU_ENV.allowAllUsers,
  homeChannelEnv: FEISHU_ENV.homeChannel,
  normalizeUserId: normalizeFeishuUserId,
  setupHelp: [
    'Create a self-built app at open.feishu.cn/app (Lark: open.larksuite.com/app) and enable its Bot ability.',
    'Credentials & Basic Info: copy App ID into FEISHU_APP_ID (cli_…) and App Secret into FEISHU_APP_SECRET.',
    'Permissions: im:message, im:message:send_as_bot, im:resource (and im:message.group_at_msg for groups).',
    'Events and Callbacks: choose "receive events through persistent connection" (no public URL needed) and',
    'subscribe to im.message.receive_v1 and card.action.trigger; then publish a version of the app.',
    'Lark (international): FEISHU_DOMAIN=lark. Webhook instead: FEISHU_CONNECTION_MODE=webhook with',
    'FEISHU_ENCRYPT_KEY and FEISHU_VERIFICATION_TOKEN from the same page (listens on 127.0.0.1:8765/feishu/webhook).',
    'Who may talk to the bot: FEISHU_ALLOWED_USERS=ou_…,on_… (open or union ids) or FEISHU_ALLOW_ALL_USERS=true.',
    'FEISHU_HOME_CHANNEL = a chat id (oc_…) for cron and cross-platform delivery.',
  ].join('\n'),
  configSchema: feishuConfigSchema as unknown as PlatformDescriptor<FeishuConfig>['configSchema'],
  configFromEnv,
  createAdapter: (config) => createFeishuAdapter(config),
};
