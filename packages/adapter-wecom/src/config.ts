import {
  AdapterError,
  configList,
  type EnvLike,
  envString,
  MEDIA_ALLOW_PRIVATE_ENV,
  mediaAllowPrivateFromEnv,
  pickConfigValue,
  platformFileConfig,
  withoutUndefined,
  withTextBatchingResolved,
} from '@hermes/adapter-core';
import { z } from 'zod';
import {
  WECOM_CONNECT_TIMEOUT_MS,
  WECOM_DEDUP_MAX_ENTRIES,
  WECOM_DEDUP_TTL_MS,
  WECOM_DEFAULT_WS_URL,
  WECOM_FILE_MAX_BYTES,
  WECOM_HEARTBEAT_INTERVAL_MS,
  WECOM_PLATFORM,
  WECOM_RECONNECT_DELAYS_MS,
  WECOM_REPLY_CACHE_MAX_AGE_MS,
  WECOM_REPLY_CACHE_MAX_ENTRIES,
  WECOM_REPLY_CACHE_MAX_PENDING,
  WECOM_REQUEST_TIMEOUT_MS,
  WECOM_TEXT_BATCH_DELAY_MS,
  WECOM_TEXT_BATCH_SPLIT_DELAY_MS,
} from './constants.js';

const BOT_ID_REQUIRED = 'WECOM_BOT_ID (platforms.wecom.bot_id) is required';
const SECRET_REQUIRED = 'WECOM_SECRET (platforms.wecom.secret) is required';
const policySchema = z.enum(['open', 'allowlist', 'disabled', 'pairing']);
const ms = (fallback: number, min = 0) => z.number().int().min(min).default(fallback);

export const wecomConfigSchema = z.object({
  botId: z.string({ error: BOT_ID_REQUIRED }).trim().min(1, BOT_ID_REQUIRED),
  secret: z.string({ error: SECRET_REQUIRED }).trim().min(1, SECRET_REQUIRED),
  websocketUrl: z
    .string()
    .default(WECOM_DEFAULT_WS_URL)
    .refine((u) => /^wss?:\/\/[^\s]+$/i.test(u), 'must be a ws:// or wss:// URL'),
  /** Stable across reconnects of one adapter instance; generated when absent. */
  deviceId: z.string().trim().min(1).optional(),
  /** Display name of the bot, to strip `@Name` exactly in groups; any leading @mention is stripped without it. */
  botName: z.string().trim().min(1).optional(),
  dmPolicy: policySchema.default('pairing'),
  groupPolicy: policySchema.default('pairing'),
  groupAllowFrom: z.array(z.string()).default([]),
  groups: z.record(z.string(), z.object({ allowFrom: z.array(z.string()).optional() })).default({}),
  homeChannel: z.string().trim().min(1).optional(),
  heartbeatIntervalMs: ms(WECOM_HEARTBEAT_INTERVAL_MS, 100),
  /** How long a ping may wait for its ack; defaults to the interval. */
  heartbeatTimeoutMs: z.number().int().min(100).optional(),
  connectTimeoutMs: ms(WECOM_CONNECT_TIMEOUT_MS, 100),
  requestTimeoutMs: ms(WECOM_REQUEST_TIMEOUT_MS, 100),
  reconnectDelaysMs: z
    .array(z.number().int().min(0))
    .min(1)
    .default([...WECOM_RECONNECT_DELAYS_MS]),
  /** Off when false, and also when `textBatchDelayMs` is 0 (then `parseWecomConfig` sets it to false). */
  textBatching: z.boolean().default(true),
  /** Quiet time before a batch is handed over; 0 turns batching off, as in the Python gateway. */
  textBatchDelayMs: ms(WECOM_TEXT_BATCH_DELAY_MS),
  textBatchSplitDelayMs: ms(WECOM_TEXT_BATCH_SPLIT_DELAY_MS),
  /** HERMES_MEDIA_ALLOW_PRIVATE: let media URLs point at private or loopback hosts (tests, self-hosted). */
  mediaAllowPrivate: z.boolean().default(false),
  maxMediaBytes: z.number().int().min(1).max(WECOM_FILE_MAX_BYTES).default(WECOM_FILE_MAX_BYTES),
  replyCache: z
    .object({
      maxEntries: ms(WECOM_REPLY_CACHE_MAX_ENTRIES, 1),
      maxAgeMs: ms(WECOM_REPLY_CACHE_MAX_AGE_MS, 1),
      maxPending: ms(WECOM_REPLY_CACHE_MAX_PENDING, 1),
    })
    .default({
      maxEntries: WECOM_REPLY_CACHE_MAX_ENTRIES,
      maxAgeMs: WECOM_REPLY_CACHE_MAX_AGE_MS,
      maxPending: WECOM_REPLY_CACHE_MAX_PENDING,
    }),
  dedupe: z
    .object({ maxEntries: ms(WECOM_DEDUP_MAX_ENTRIES, 1), ttlMs: ms(WECOM_DEDUP_TTL_MS, 1) })
    .default({ maxEntries: WECOM_DEDUP_MAX_ENTRIES, ttlMs: WECOM_DEDUP_TTL_MS }),
});

/** The validated config, every default filled in. */
export type WecomConfig = z.output<typeof wecomConfigSchema>;
/** What a caller writes: only `botId` and `secret` are required. */
export type WecomConfigInput = z.input<typeof wecomConfigSchema>;

/** Validates a config object; problems come back as one `config_invalid` error naming each key. */
export function parseWecomConfig(input: WecomConfigInput | Record<string, unknown>): WecomConfig {
  const result = wecomConfigSchema.safeParse(input);
  // HERMES_WECOM_TEXT_BATCH_DELAY_SECONDS=0 means no batching at all.
  if (result.success) return withTextBatchingResolved(result.data);
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const missingCreds = result.error.issues.some((i) => i.path[0] === 'botId' || i.path[0] === 'secret');
  return fail(
    `Invalid WeCom config: ${problems.join('; ')}`,
    missingCreds
      ? 'set WECOM_BOT_ID and WECOM_SECRET (AI bot page of the WeCom admin console, "API mode: long connection")'
      : 'correct the keys named above under platforms.wecom in config.yaml or the matching WECOM_* env vars',
  );
}

function fail(message: string, fix: string): never {
  throw new AdapterError('config_invalid', message, { platform: WECOM_PLATFORM, retryable: false, fix });
}

/** Seconds (fractions allowed) to whole milliseconds; a value that is not a number names the variable. */
function envSecondsMs(env: EnvLike, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    fail(`${name} must be a number of seconds, got "${raw}"`, `set ${name} to e.g. 30`);
  return Math.round(n * 1000);
}

function groupsFrom(value: unknown): Record<string, { allowFrom?: string[] }> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(
      'platforms.wecom.groups must be a mapping of chat id to { allow_from: [...] }',
      'fix the groups key',
    );
  }
  const out: Record<string, { allowFrom?: string[] }> = {};
  for (const [chatId, entry] of Object.entries(value as Record<string, unknown>)) {
    const e = (entry ?? {}) as Record<string, unknown>;
    const list = configList(pickConfigValue(e, 'allow_from', 'allowFrom'));
    out[chatId] = list === undefined ? {} : { allowFrom: list };
  }
  return out;
}

/**
 * Reads the Hermes env var names over `platforms.wecom` of config.yaml (its `extra` block included, snake or
 * camel case keys). The environment wins over the file.
 */
/** Keys older configs used for the DM allowlist, which the gateway now decides for every platform. */
const MOVED_ACCESS_KEYS = ['allow_from', 'allowFrom', 'allow_all_users', 'allowAllUsers'];

function refuseMovedAccessKeys(file: Record<string, unknown>): void {
  const found = MOVED_ACCESS_KEYS.filter((k) => file[k] !== undefined);
  if (found.length === 0) return;
  throw new AdapterError(
    'config_invalid',
    `platforms.wecom.${found[0]} is no longer read by the WeCom adapter`,
    {
      platform: WECOM_PLATFORM,
      retryable: false,
      fix: 'List the users in WECOM_ALLOWED_USERS (or set WECOM_ALLOW_ALL_USERS=true) in ~/.hermes/.env: the gateway decides who may talk to the agent.',
    },
  );
}

export function wecomConfigFromEnv(env: EnvLike, fileConfig: Record<string, unknown> = {}): WecomConfig {
  const file = platformFileConfig(fileConfig);
  refuseMovedAccessKeys(file);
  const str = (name: string) => envString(env, name);
  const mediaPrivate =
    env[MEDIA_ALLOW_PRIVATE_ENV] !== undefined
      ? mediaAllowPrivateFromEnv(env)
      : (pickConfigValue(file, 'media_allow_private', 'mediaAllowPrivate') as boolean | undefined);
  const input = withoutUndefined({
    botId: str('WECOM_BOT_ID') ?? pickConfigValue(file, 'bot_id', 'botId'),
    secret: str('WECOM_SECRET') ?? pickConfigValue(file, 'secret'),
    websocketUrl: str('WECOM_WEBSOCKET_URL') ?? pickConfigValue(file, 'websocket_url', 'websocketUrl'),
    deviceId: pickConfigValue(file, 'device_id', 'deviceId'),
    botName: str('WECOM_BOT_NAME') ?? pickConfigValue(file, 'bot_name', 'botName'),
    dmPolicy: str('WECOM_DM_POLICY')?.toLowerCase() ?? pickConfigValue(file, 'dm_policy', 'dmPolicy'),
    groupPolicy:
      str('WECOM_GROUP_POLICY')?.toLowerCase() ?? pickConfigValue(file, 'group_policy', 'groupPolicy'),
    groupAllowFrom: configList(pickConfigValue(file, 'group_allow_from', 'groupAllowFrom')),
    groups: groupsFrom(pickConfigValue(file, 'groups')),
    homeChannel: str('WECOM_HOME_CHANNEL') ?? pickConfigValue(file, 'home_channel', 'homeChannel'),
    heartbeatIntervalMs: envSecondsMs(env, 'WECOM_HEARTBEAT_INTERVAL'),
    textBatchDelayMs: envSecondsMs(env, 'HERMES_WECOM_TEXT_BATCH_DELAY_SECONDS'),
    textBatchSplitDelayMs: envSecondsMs(env, 'HERMES_WECOM_TEXT_BATCH_SPLIT_DELAY_SECONDS'),
    mediaAllowPrivate: mediaPrivate,
  });
  return parseWecomConfig(input);
}
