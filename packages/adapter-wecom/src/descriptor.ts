import type { PlatformDescriptor } from '@hermes/adapter-core';
import { WecomAdapter } from './adapter.js';
import { type WecomConfig, wecomConfigFromEnv, wecomConfigSchema } from './config.js';
import { WECOM_PLATFORM } from './constants.js';
import { startWecomQrSetup } from './qr-setup.js';
import { normalizeWecomUserId } from './user-id.js';

const QR_SCAN_TIMEOUT_MS = 300_000;

/** What the gateway's platform catalog needs: enabled by WECOM_BOT_ID + WECOM_SECRET. */
export const wecomDescriptor: PlatformDescriptor<WecomConfig> = {
  platform: WECOM_PLATFORM,
  label: 'WeCom (企业微信) AI Bot',
  kind: 'chat',
  requiredEnv: ['WECOM_BOT_ID', 'WECOM_SECRET'],
  optionalEnv: [
    'WECOM_WEBSOCKET_URL',
    'WECOM_DM_POLICY',
    'WECOM_GROUP_POLICY',
    'WECOM_ALLOWED_USERS',
    'WECOM_ALLOW_ALL_USERS',
    'WECOM_HOME_CHANNEL',
    'WECOM_HEARTBEAT_INTERVAL',
    'WECOM_BOT_NAME',
    'HERMES_WECOM_TEXT_BATCH_DELAY_SECONDS',
    'HERMES_WECOM_TEXT_BATCH_SPLIT_DELAY_SECONDS',
    'HERMES_MEDIA_ALLOW_PRIVATE',
  ],
  secretEnv: ['WECOM_SECRET'],
  allowedUsersEnv: 'WECOM_ALLOWED_USERS',
  allowAllUsersEnv: 'WECOM_ALLOW_ALL_USERS',
  homeChannelEnv: 'WECOM_HOME_CHANNEL',
  normalizeUserId: normalizeWecomUserId,
  setupHelp: [
    'In the WeCom admin console (work.weixin.qq.com → 应用管理 → 智能机器人), create an AI bot and choose',
    'API mode "long connection" (长连接). Copy its Bot ID into WECOM_BOT_ID and its Secret into WECOM_SECRET.',
    'No public URL is needed: the bot connects out to wss://openws.work.weixin.qq.com.',
    'Who may talk to the bot: WECOM_ALLOWED_USERS=alice,bob (wecom:user:Alice works too), or',
    'WECOM_ALLOW_ALL_USERS=true; anyone else gets a pairing code. WECOM_DM_POLICY=disabled turns DMs off;',
    'WECOM_GROUP_POLICY = open | allowlist | disabled | pairing (default pairing, which blocks groups: groups',
    'never pair). WECOM_HOME_CHANNEL = a user id or group chat id for cron and cross-platform delivery',
    '(a group only works after it has addressed the bot once: WeCom refuses proactive group posts).',
  ].join('\n'),
  scanToCreate: {
    label: 'Scan a QR code with the WeCom app (it creates the bot for you)',
    timeoutMs: QR_SCAN_TIMEOUT_MS,
    async start(env, signal) {
      // WECOM_QR_BASE_URL points the flow at a fake in tests.
      const baseUrl = env['WECOM_QR_BASE_URL']?.trim();
      const session = await startWecomQrSetup({
        ...(baseUrl ? { baseUrl } : {}),
        signal,
        timeoutMs: QR_SCAN_TIMEOUT_MS,
      });
      return {
        link: session.qrUrl,
        async credentials() {
          const { botId, secret } = await session.waitForCredentials();
          return { WECOM_BOT_ID: botId, WECOM_SECRET: secret };
        },
      };
    },
  },
  configSchema: wecomConfigSchema,
  configFromEnv: wecomConfigFromEnv,
  createAdapter: (config) => new WecomAdapter(config),
};
