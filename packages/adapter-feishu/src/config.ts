import {
  AdapterError,
  type EnvLike,
  envFlag,
  envList,
  MEDIA_ALLOW_PRIVATE_ENV,
  mediaAllowPrivateFromEnv,
  parseAdapterConfig,
  withTextBatchingResolved,
} from '@hermes/adapter-core';
import { z } from 'zod';
import {
  FEISHU_DOMAINS,
  FEISHU_PLATFORM,
  FEISHU_TEXT_BATCH_DELAY_MS,
  FEISHU_TEXT_BATCH_SPLIT_DELAY_MS,
  FEISHU_WEBHOOK_DEFAULTS,
} from './constants.js';

/** The env var names, spelled as the Python Hermes gateway spells them. */
export const FEISHU_ENV = {
  appId: 'FEISHU_APP_ID',
  appSecret: 'FEISHU_APP_SECRET',
  domain: 'FEISHU_DOMAIN',
  connectionMode: 'FEISHU_CONNECTION_MODE',
  allowedUsers: 'FEISHU_ALLOWED_USERS',
  allowAllUsers: 'FEISHU_ALLOW_ALL_USERS',
  allowBots: 'FEISHU_ALLOW_BOTS',
  requireMention: 'FEISHU_REQUIRE_MENTION',
  homeChannel: 'FEISHU_HOME_CHANNEL',
  encryptKey: 'FEISHU_ENCRYPT_KEY',
  verificationToken: 'FEISHU_VERIFICATION_TOKEN',
  botOpenId: 'FEISHU_BOT_OPEN_ID',
  botUserId: 'FEISHU_BOT_USER_ID',
  botName: 'FEISHU_BOT_NAME',
  webhookHost: 'FEISHU_WEBHOOK_HOST',
  webhookPort: 'FEISHU_WEBHOOK_PORT',
  webhookPath: 'FEISHU_WEBHOOK_PATH',
  reactions: 'FEISHU_REACTIONS',
  textBatchDelay: 'HERMES_FEISHU_TEXT_BATCH_DELAY_SECONDS',
} as const;

/** `feishu` | `lark` | a base URL (self-hosted gateways, the loopback fake). */
const domainSchema = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const lower = value.toLowerCase();
    if (lower === 'feishu' || lower === 'lark') return FEISHU_DOMAINS[lower];
    try {
      const url = new URL(value);
      if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
    } catch {
      // reported below
    }
    ctx.addIssue({
      code: 'custom',
      message: `must be feishu, lark or an http(s) URL: set ${FEISHU_ENV.domain}`,
    });
    return z.NEVER;
  });

export const feishuConfigSchema = z
  .object({
    /** The app's id, `cli_` + 16 hex digits (the SDK's long connection refuses anything else). */
    appId: z
      .string({ error: `is missing: set ${FEISHU_ENV.appId}` })
      .trim()
      .regex(
        /^cli_[0-9a-fA-F]{16}$/,
        `must look like cli_ followed by 16 hex digits: check ${FEISHU_ENV.appId}`,
      ),
    /** Secret: never logged, never readable from the adapter object. */
    appSecret: z
      .string({ error: `is missing: set ${FEISHU_ENV.appSecret}` })
      .trim()
      .min(1, `is empty: set ${FEISHU_ENV.appSecret}`),
    /** Resolved to a base URL; `feishu` (open.feishu.cn) by default. */
    domain: domainSchema.default(FEISHU_DOMAINS.feishu),
    connectionMode: z.enum(['websocket', 'webhook']).default('websocket'),
    webhookHost: z.string().trim().min(1).default(FEISHU_WEBHOOK_DEFAULTS.host),
    webhookPort: z.number().int().min(0).max(65535).default(FEISHU_WEBHOOK_DEFAULTS.port),
    webhookPath: z.string().startsWith('/').default(FEISHU_WEBHOOK_DEFAULTS.path),
    /** Webhook mode: checks `url_verification` and the v1 `token` field. Secret. */
    verificationToken: z.string().min(1).optional(),
    /** Webhook mode: decrypts `{encrypt}` bodies and signs requests (X-Lark-Signature). Secret. */
    encryptKey: z.string().min(1).optional(),
    /** Overrides for the bot identity; otherwise read from bot/v3/info at start. */
    botOpenId: z.string().min(1).optional(),
    botUserId: z.string().min(1).optional(),
    botName: z.string().min(1).optional(),
    /** Read by the host's access control (the adapter delivers every message it receives). */
    allowedUsers: z.array(z.string().min(1)).default([]),
    allowAllUsers: z.boolean().default(false),
    /** Messages from other bots (sender_type app) are dropped unless this is on. */
    allowBots: z.boolean().default(false),
    /** Drop group messages that do not @mention the bot in the adapter (the host also gates on mentionsBot). */
    requireMention: z.boolean().default(false),
    homeChannel: z.string().min(1).optional(),
    /** Typing reaction while a reply is being worked on, CrossMark on failure (`FEISHU_REACTIONS`). */
    reactions: z.boolean().default(true),
    textBatching: z.boolean().default(true),
    textBatchDelayMs: z.number().int().min(0).default(FEISHU_TEXT_BATCH_DELAY_MS),
    textBatchSplitDelayMs: z.number().int().min(0).default(FEISHU_TEXT_BATCH_SPLIT_DELAY_MS),
    /** Where the message_id dedupe survives restarts; default `<media cache>/../feishu`. */
    stateDir: z.string().min(1).optional(),
    /** Bounds every REST call; a call that times out is never resent (it may have landed). */
    requestTimeoutMs: z.number().int().positive().default(15_000),
    /** Bounds one long-connection attempt (endpoint + WebSocket handshake). */
    connectTimeoutMs: z.number().int().positive().default(20_000),
    /** Reconnect schedule after a drop, in ms (default 2, 5, 10, 30, 60 s). */
    reconnectDelaysMs: z.array(z.number().int().positive()).min(1).optional(),
    /** Sends per second for the whole app (Feishu: 50/s); per chat it is 5/s. */
    globalSendsPerSecond: z.number().int().positive().default(50),
    maxMediaBytes: z
      .number()
      .int()
      .positive()
      .default(20 * 1024 * 1024),
    /** Lets downloads reach private addresses (self-hosted gateways, tests). HERMES_MEDIA_ALLOW_PRIVATE. */
    allowPrivateMedia: z.boolean().default(false),
  })
  .superRefine((config, ctx) => {
    // An open webhook on a public interface must at least check signatures.
    const loopback = ['127.0.0.1', '::1', 'localhost'].includes(config.webhookHost);
    if (config.connectionMode === 'webhook' && !loopback && !config.encryptKey) {
      ctx.addIssue({
        code: 'custom',
        path: ['webhookHost'],
        message: `binds beyond loopback without a signing key: set ${FEISHU_ENV.encryptKey} or keep ${FEISHU_ENV.webhookHost}=127.0.0.1`,
      });
    }
  });

export type FeishuConfig = z.output<typeof feishuConfigSchema>;
export type FeishuConfigInput = z.input<typeof feishuConfigSchema>;

export function parseFeishuConfig(input: unknown): FeishuConfig {
  const config = parseAdapterConfig(feishuConfigSchema, input, {
    platform: FEISHU_PLATFORM,
    label: 'Feishu',
    fix: `Set ${FEISHU_ENV.appId} and ${FEISHU_ENV.appSecret} in ~/.hermes/.env (or platforms.feishu in config.yaml).`,
  });
  return withTextBatchingResolved(config);
}

/** Seconds (fractions allowed) to whole milliseconds; anything else is refused naming the variable. */
function secondsFromEnv(name: string, raw: string): number {
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  throw new AdapterError(
    'config_invalid',
    `${name} must be a number of seconds (0 turns it off), got "${raw}"`,
    {
      platform: FEISHU_PLATFORM,
      retryable: false,
      fix: `Set ${name} to e.g. 0.6 in ~/.hermes/.env, or 0 to turn text batching off.`,
    },
  );
}

function setString(out: Record<string, unknown>, key: string, raw: string | undefined): void {
  if (raw !== undefined && raw.trim() !== '') out[key] = raw.trim();
}

/** Env (the Python names) over `platforms.feishu` from config.yaml; only variables that are set override. */
export function configFromEnv(env: EnvLike, fileConfig: Record<string, unknown> = {}): FeishuConfig {
  const e: Record<string, unknown> = {};
  setString(e, 'appId', env[FEISHU_ENV.appId]);
  setString(e, 'appSecret', env[FEISHU_ENV.appSecret]);
  setString(e, 'domain', env[FEISHU_ENV.domain]);
  const mode = env[FEISHU_ENV.connectionMode]?.trim().toLowerCase();
  if (mode) e['connectionMode'] = mode;
  setString(e, 'webhookHost', env[FEISHU_ENV.webhookHost]);
  const port = env[FEISHU_ENV.webhookPort]?.trim();
  if (port) e['webhookPort'] = Number(port);
  setString(e, 'webhookPath', env[FEISHU_ENV.webhookPath]);
  setString(e, 'verificationToken', env[FEISHU_ENV.verificationToken]);
  setString(e, 'encryptKey', env[FEISHU_ENV.encryptKey]);
  setString(e, 'botOpenId', env[FEISHU_ENV.botOpenId]);
  setString(e, 'botUserId', env[FEISHU_ENV.botUserId]);
  setString(e, 'botName', env[FEISHU_ENV.botName]);
  setString(e, 'homeChannel', env[FEISHU_ENV.homeChannel]);
  if (env[FEISHU_ENV.allowedUsers] !== undefined) e['allowedUsers'] = envList(env, FEISHU_ENV.allowedUsers);
  const flags = [
    ['allowAllUsers', FEISHU_ENV.allowAllUsers],
    ['allowBots', FEISHU_ENV.allowBots],
    ['requireMention', FEISHU_ENV.requireMention],
    ['reactions', FEISHU_ENV.reactions],
  ] as const;
  for (const [key, name] of flags) if (env[name]?.trim()) e[key] = envFlag(env, name);
  const delay = env[FEISHU_ENV.textBatchDelay]?.trim();
  if (delay) e['textBatchDelayMs'] = secondsFromEnv(FEISHU_ENV.textBatchDelay, delay);
  if (env[MEDIA_ALLOW_PRIVATE_ENV] !== undefined) e['allowPrivateMedia'] = mediaAllowPrivateFromEnv(env);
  return parseFeishuConfig({ ...fileConfig, ...e });
}
