import {
  AdapterError,
  configList,
  type EnvLike,
  envFlag,
  envList,
  pickConfigValue,
  platformFileConfig,
  withoutUndefined,
} from '@hermes/adapter-core';
import { z } from 'zod';
import {
  SLACK_CLIENT_PING_TIMEOUT_MS,
  SLACK_CONNECT_TIMEOUT_MS,
  SLACK_DEDUPE_MAX_ENTRIES,
  SLACK_DEDUPE_TTL_MS,
  SLACK_DEFAULT_API_URL,
  SLACK_DEFAULT_CHUNK_LENGTH,
  SLACK_DEFAULT_MAX_MEDIA_BYTES,
  SLACK_DEFAULT_SLASH_COMMAND,
  SLACK_GLOBAL_RATE,
  SLACK_HARD_MESSAGE_LIMIT,
  SLACK_PARTICIPATION_LIMIT,
  SLACK_PER_CHANNEL_RATE,
  SLACK_PLATFORM,
  SLACK_RECONNECT_INITIAL_MS,
  SLACK_RECONNECT_MAX_MS,
  SLACK_REQUEST_TIMEOUT_MS,
  SLACK_SERVER_PING_TIMEOUT_MS,
} from './constants.js';

const BOT_TOKEN_HELP =
  'SLACK_BOT_TOKEN must be the Bot User OAuth Token (xoxb-…) from api.slack.com/apps → your app → OAuth & Permissions';
const APP_TOKEN_HELP =
  'SLACK_APP_TOKEN must be an App-Level Token (xapp-…) with the connections:write scope, from api.slack.com/apps → your app → Basic Information → App-Level Tokens';

const ms = (fallback: number, min = 0) => z.number().int().min(min).default(fallback);
const rate = z.object({ capacity: z.number().positive(), refillPerSecond: z.number().positive() });

export const slackConfigSchema = z.object({
  botToken: z
    .string({ error: `${BOT_TOKEN_HELP} (it is missing)` })
    .trim()
    .refine((t) => !t.startsWith('xapp-'), `${BOT_TOKEN_HELP}; this is the app token (xapp-), swap the two`)
    .refine((t) => /^xox[bp]-\S+$/.test(t), BOT_TOKEN_HELP),
  appToken: z
    .string({ error: `${APP_TOKEN_HELP} (it is missing)` })
    .trim()
    .refine((t) => !t.startsWith('xox'), `${APP_TOKEN_HELP}; this is a bot/user token (xox…), swap the two`)
    .refine((t) => /^xapp-\S+$/.test(t), APP_TOKEN_HELP),
  /** Base of the Web API, also used to open Socket Mode (apps.connections.open). Tests point it at the fake. */
  apiUrl: z
    .string()
    .default(SLACK_DEFAULT_API_URL)
    .refine((u) => /^https?:\/\/[^\s]+$/i.test(u), 'must be an http:// or https:// URL')
    .transform((u) => (u.endsWith('/') ? u : `${u}/`)),
  /** Channels need an @mention unless they are free-response channels or a thread the bot takes part in. */
  requireMention: z.boolean().default(true),
  freeResponseChannels: z.array(z.string()).default([]),
  /** Top-level channel messages are answered in a thread under them (Slack's etiquette, Hermes' default). */
  replyInThread: z.boolean().default(true),
  /** The native slash command turned into `/<cmd>` text for the host. */
  slashCommand: z
    .string()
    .regex(/^\/[\w-]+$/, 'must look like /hermes')
    .default(SLACK_DEFAULT_SLASH_COMMAND),
  /** Read by the host's access control, kept here so one config object describes the platform. */
  allowedUsers: z.array(z.string()).default([]),
  allowAllUsers: z.boolean().default(false),
  homeChannel: z.string().trim().min(1).optional(),
  homeChannelName: z.string().trim().min(1).optional(),
  /** Characters per message; Slack's hard cap is 40,000 (`msg_too_long`). */
  maxMessageLength: z
    .number()
    .int()
    .min(200)
    .max(SLACK_HARD_MESSAGE_LIMIT)
    .default(SLACK_DEFAULT_CHUNK_LENGTH),
  participationLimit: z.number().int().min(1).default(SLACK_PARTICIPATION_LIMIT),
  dedupe: z
    .object({ maxEntries: ms(SLACK_DEDUPE_MAX_ENTRIES, 1), ttlMs: ms(SLACK_DEDUPE_TTL_MS, 1) })
    .default({ maxEntries: SLACK_DEDUPE_MAX_ENTRIES, ttlMs: SLACK_DEDUPE_TTL_MS }),
  sendRate: z
    .object({ perChannel: rate, global: rate })
    .default({ perChannel: { ...SLACK_PER_CHANNEL_RATE }, global: { ...SLACK_GLOBAL_RATE } }),
  /** Attempts per Web API call (first included) when Slack rate-limits; other retryable errors get 4. */
  maxSendAttempts: z.number().int().min(1).default(10),
  requestTimeoutMs: ms(SLACK_REQUEST_TIMEOUT_MS, 100),
  connectTimeoutMs: ms(SLACK_CONNECT_TIMEOUT_MS, 100),
  reconnect: z
    .object({ initialMs: ms(SLACK_RECONNECT_INITIAL_MS, 1), maxMs: ms(SLACK_RECONNECT_MAX_MS, 1) })
    .default({ initialMs: SLACK_RECONNECT_INITIAL_MS, maxMs: SLACK_RECONNECT_MAX_MS }),
  clientPingTimeoutMs: ms(SLACK_CLIENT_PING_TIMEOUT_MS, 300),
  serverPingTimeoutMs: ms(SLACK_SERVER_PING_TIMEOUT_MS, 300),
  /** HERMES_MEDIA_ALLOW_PRIVATE: let file URLs resolve to private or loopback hosts (tests, self-hosted). */
  mediaAllowPrivate: z.boolean().default(false),
  maxMediaBytes: z.number().int().min(1).default(SLACK_DEFAULT_MAX_MEDIA_BYTES),
});

/** The validated config, every default filled in. */
export type SlackConfig = z.output<typeof slackConfigSchema>;
/** What a caller writes: only `botToken` and `appToken` are required. */
export type SlackConfigInput = z.input<typeof slackConfigSchema>;

function fail(message: string, fix: string): never {
  throw new AdapterError('config_invalid', message, { platform: SLACK_PLATFORM, retryable: false, fix });
}

/** Validates a config object; problems come back as one `config_invalid` error naming each key (never a token). */
export function parseSlackConfig(input: SlackConfigInput | Record<string, unknown>): SlackConfig {
  const result = slackConfigSchema.safeParse(input);
  if (result.success) {
    if (result.data.botToken === result.data.appToken) {
      fail(
        'Invalid Slack config: botToken and appToken are the same value',
        `${BOT_TOKEN_HELP}. ${APP_TOKEN_HELP}`,
      );
    }
    return result.data;
  }
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const tokenProblem = result.error.issues.some((i) => i.path[0] === 'botToken' || i.path[0] === 'appToken');
  return fail(
    `Invalid Slack config: ${problems.join('; ')}`,
    tokenProblem
      ? 'set SLACK_BOT_TOKEN (xoxb-…) and SLACK_APP_TOKEN (xapp-…, Socket Mode enabled on the app)'
      : 'correct the keys named above under platforms.slack in config.yaml or the matching SLACK_* env vars',
  );
}

function asBool(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  return envFlag({ v: String(value) }, 'v');
}

function envNumber(env: EnvLike, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) fail(`${name} must be a whole number, got "${raw}"`, `set ${name} to e.g. 4000`);
  return n;
}

/**
 * Reads the Hermes env var names over `platforms.slack` of config.yaml (its `extra` block included, snake
 * or camel case keys). The environment wins over the file.
 */
export function slackConfigFromEnv(env: EnvLike, fileConfig: Record<string, unknown> = {}): SlackConfig {
  const file = platformFileConfig(fileConfig);
  const str = (name: string) => env[name]?.trim() || undefined;
  const flag = (name: string) =>
    env[name] !== undefined && env[name]?.trim() !== '' ? envFlag(env, name) : undefined;
  const list = (name: string) => (env[name] !== undefined ? envList(env, name) : undefined);
  const allowAll =
    flag('SLACK_ALLOW_ALL_USERS') !== undefined || flag('GATEWAY_ALLOW_ALL_USERS') !== undefined
      ? Boolean(flag('SLACK_ALLOW_ALL_USERS') || flag('GATEWAY_ALLOW_ALL_USERS'))
      : asBool(pickConfigValue(file, 'allow_all_users', 'allowAllUsers'));

  return parseSlackConfig({
    ...withoutUndefined({
      botToken: str('SLACK_BOT_TOKEN') ?? pickConfigValue(file, 'bot_token', 'botToken', 'token'),
      appToken: str('SLACK_APP_TOKEN') ?? pickConfigValue(file, 'app_token', 'appToken'),
      apiUrl: str('SLACK_API_URL') ?? pickConfigValue(file, 'api_url', 'apiUrl'),
      requireMention:
        flag('SLACK_REQUIRE_MENTION') ?? asBool(pickConfigValue(file, 'require_mention', 'requireMention')),
      freeResponseChannels:
        list('SLACK_FREE_RESPONSE_CHANNELS') ??
        configList(pickConfigValue(file, 'free_response_channels', 'freeResponseChannels')),
      replyInThread:
        flag('SLACK_REPLY_IN_THREAD') ?? asBool(pickConfigValue(file, 'reply_in_thread', 'replyInThread')),
      slashCommand: str('SLACK_SLASH_COMMAND') ?? pickConfigValue(file, 'slash_command', 'slashCommand'),
      allowedUsers:
        list('SLACK_ALLOWED_USERS') ??
        configList(pickConfigValue(file, 'allowed_users', 'allowedUsers', 'allow_from')),
      allowAllUsers: allowAll,
      homeChannel: str('SLACK_HOME_CHANNEL') ?? pickConfigValue(file, 'home_channel', 'homeChannel'),
      homeChannelName:
        str('SLACK_HOME_CHANNEL_NAME') ?? pickConfigValue(file, 'home_channel_name', 'homeChannelName'),
      maxMessageLength:
        envNumber(env, 'SLACK_MAX_MESSAGE_LENGTH') ??
        pickConfigValue(file, 'max_message_length', 'maxMessageLength'),
      maxMediaBytes: pickConfigValue(file, 'max_media_bytes', 'maxMediaBytes'),
      mediaAllowPrivate:
        flag('HERMES_MEDIA_ALLOW_PRIVATE') ??
        asBool(pickConfigValue(file, 'media_allow_private', 'mediaAllowPrivate')),
    }),
  });
}
