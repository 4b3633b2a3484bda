import {
  AdapterError,
  configList,
  type EnvLike,
  envFlag,
  envList,
  envString,
  pickConfigValue,
  platformFileConfig,
  withoutUndefined,
} from '@hermes/adapter-core';
import { z } from 'zod';
import {
  DISCORD_AUTO_ARCHIVE_MINUTES,
  DISCORD_BOT_THREADS_MAX,
  DISCORD_DEDUP_MAX_ENTRIES,
  DISCORD_DEDUP_TTL_MS,
  DISCORD_DEFAULT_API_BASE,
  DISCORD_DEFAULT_MAX_DOWNLOAD_BYTES,
  DISCORD_DEFAULT_MAX_UPLOAD_BYTES,
  DISCORD_PLATFORM,
} from './constants.js';

const TOKEN_REQUIRED = 'DISCORD_BOT_TOKEN (platforms.discord.token) is required';
const ms = (fallback: number, min = 0) => z.number().int().min(min).default(fallback);
const idList = z.array(z.string().trim().min(1)).default([]);

const backoffSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('exponential'),
    initialMs: z.number().min(0),
    maxMs: z.number().min(0),
    factor: z.number().min(1).optional(),
    jitter: z.number().min(0).max(1).optional(),
  }),
  z.object({
    kind: z.literal('schedule'),
    delaysMs: z.array(z.number().min(0)).min(1),
    jitter: z.number().min(0).max(1).optional(),
  }),
]);

/**
 * `https://discord.com/api`, with or without a trailing slash or version: discord.js adds `/v10` itself,
 * so a base that already ends in a version would double it.
 */
function normaliseApiBase(raw: string): string {
  return raw
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/v\d+$/, '');
}

export const discordConfigSchema = z.object({
  token: z
    .string({ error: TOKEN_REQUIRED })
    .trim()
    .min(1, TOKEN_REQUIRED)
    // People paste the header form; discord.js strips it too.
    .transform((t) => t.replace(/^(Bot|Bearer)\s+/i, '')),
  apiBase: z
    .string()
    .default(DISCORD_DEFAULT_API_BASE)
    .refine(
      (u) => /^https?:\/\/[^\s/]+/i.test(u),
      'must be an http:// or https:// URL such as https://discord.com/api',
    )
    .transform(normaliseApiBase),
  /** Extra hosts attachments may be downloaded from, besides Discord's CDN and the API host. */
  attachmentHosts: idList,
  allowedUsers: idList,
  allowAllUsers: z.boolean().default(false),
  homeChannel: z.string().trim().min(1).optional(),
  /** In servers, answer only when mentioned (DMs never need a mention). */
  requireMention: z.boolean().default(true),
  freeResponseChannels: idList,
  /** When not empty, server messages outside these channels (or threads under them) are ignored. */
  allowedChannels: idList,
  ignoredChannels: idList,
  /** Channels where a mention is answered inline instead of in a new thread. */
  noThreadChannels: idList,
  /** When not empty, server messages count only from members with one of these roles (id or name). */
  allowedRoles: idList,
  /** A mention in a server channel opens a thread for the answer (Hermes' default). */
  autoThread: z.boolean().default(true),
  autoArchiveMinutes: z
    .number()
    .int()
    .refine((m) => (DISCORD_AUTO_ARCHIVE_MINUTES as readonly number[]).includes(m), {
      message: `must be one of ${DISCORD_AUTO_ARCHIVE_MINUTES.join(', ')}`,
    })
    .default(1440),
  /** Stay silent on a message that mentions other people but not the bot, even where no mention is needed. */
  ignoreNoMention: z.boolean().default(true),
  /** Messages from other bots: never (default), only when they mention this bot, or always. */
  allowBots: z.enum(['none', 'mentions', 'all']).default('none'),
  /** Who the bot's own messages may ping. */
  allowMentions: z
    .object({
      everyone: z.boolean().default(false),
      roles: z.boolean().default(false),
      users: z.boolean().default(true),
      repliedUser: z.boolean().default(true),
    })
    .default({ everyone: false, roles: false, users: true, repliedUser: true }),
  maxUploadBytes: z.number().int().min(1).default(DISCORD_DEFAULT_MAX_UPLOAD_BYTES),
  maxDownloadBytes: z.number().int().min(1).default(DISCORD_DEFAULT_MAX_DOWNLOAD_BYTES),
  /** HERMES_MEDIA_ALLOW_PRIVATE: attachment URLs may resolve to private or loopback addresses (tests, proxies). */
  mediaAllowPrivate: z.boolean().default(false),
  /** Pause before each gateway reconnect attempt, on top of discord.js's own 0.5 s. */
  reconnectBackoff: backoffSchema.default({
    kind: 'exponential',
    initialMs: 1000,
    maxMs: 60_000,
    factor: 2,
    jitter: 0.2,
  }),
  /** start() gives up (and the host retries later) when the gateway is not ready by then. */
  startTimeoutMs: ms(60_000, 100),
  /** Bound on the WebSocket opening handshake. */
  handshakeTimeoutMs: ms(30_000, 100),
  /** Bound on HELLO after the socket opened. */
  helloTimeoutMs: ms(20_000, 100),
  /** Bound on READY after IDENTIFY. */
  readyTimeoutMs: ms(15_000, 100),
  /** A closing socket that does not finish its close handshake by then is cut (a zombie peer never answers). */
  closeTimeoutMs: ms(5_000, 50),
  /** One REST call; a timeout is ambiguous and never resent. */
  restTimeoutMs: ms(15_000, 100),
  /** A 429 asking for a longer pause than this fails the send instead of waiting. */
  maxRateLimitWaitMs: ms(60_000, 0),
  /** discord.js's global pacing; Discord allows 50 requests per second per bot. */
  globalRequestsPerSecond: z.number().int().min(1).default(50),
  /** How long discord.js waits for GUILD_CREATE of every server before READY counts. */
  waitGuildTimeoutMs: ms(15_000, 0),
  botThreadsMax: ms(DISCORD_BOT_THREADS_MAX, 1),
  dedupe: z
    .object({ maxEntries: ms(DISCORD_DEDUP_MAX_ENTRIES, 1), ttlMs: ms(DISCORD_DEDUP_TTL_MS, 1) })
    .default({ maxEntries: DISCORD_DEDUP_MAX_ENTRIES, ttlMs: DISCORD_DEDUP_TTL_MS }),
});

/** The validated config, every default filled in. */
export type DiscordConfig = z.output<typeof discordConfigSchema>;
/** What a caller writes: only `token` is required. */
export type DiscordConfigInput = z.input<typeof discordConfigSchema>;

function fail(message: string, fix: string): never {
  throw new AdapterError('config_invalid', message, { platform: DISCORD_PLATFORM, retryable: false, fix });
}

/** Validates a config object; problems come back as one `config_invalid` error naming each key. */
export function parseDiscordConfig(input: DiscordConfigInput | Record<string, unknown>): DiscordConfig {
  const result = discordConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const missingToken = result.error.issues.some((i) => i.path[0] === 'token');
  return fail(
    `Invalid Discord config: ${problems.join('; ')}`,
    missingToken
      ? 'set DISCORD_BOT_TOKEN (Discord Developer Portal → your application → Bot → Reset Token)'
      : 'correct the keys named above under platforms.discord in config.yaml or the matching DISCORD_* env vars',
  );
}

/**
 * Reads the Hermes env var names over `platforms.discord` of config.yaml (its `extra` block included,
 * snake or camel case keys). The environment wins over the file.
 */
export function discordConfigFromEnv(env: EnvLike, fileConfig: Record<string, unknown> = {}): DiscordConfig {
  const file = platformFileConfig(fileConfig);
  const str = (name: string) => envString(env, name);
  const flag = (name: string, ...keys: string[]): boolean | undefined => {
    if (str(name) !== undefined) {
      const raw = str(name)!.toLowerCase();
      if (!['true', '1', 'yes', 'on', 'false', '0', 'no', 'off'].includes(raw)) {
        fail(`${name} must be true or false, got "${env[name]}"`, `set ${name}=true or ${name}=false`);
      }
      return envFlag(env, name);
    }
    const v = pickConfigValue(file, ...keys);
    return typeof v === 'boolean' ? v : v === undefined ? undefined : envFlag({ v: String(v) }, 'v');
  };
  const list = (name: string, ...keys: string[]) =>
    str(name) !== undefined ? envList(env, name) : configList(pickConfigValue(file, ...keys));
  const fileMentions = (pickConfigValue(file, 'allow_mentions', 'allowMentions') ?? {}) as Record<
    string,
    unknown
  >;
  const mention = (name: string, ...keys: string[]) =>
    flag(name, ...keys) ?? (pickConfigValue(fileMentions, ...keys) as boolean | undefined);
  const allowMentions = withoutUndefined({
    everyone: mention('DISCORD_ALLOW_MENTION_EVERYONE', 'everyone'),
    roles: mention('DISCORD_ALLOW_MENTION_ROLES', 'roles'),
    users: mention('DISCORD_ALLOW_MENTION_USERS', 'users'),
    repliedUser: mention('DISCORD_ALLOW_MENTION_REPLIED_USER', 'replied_user', 'repliedUser'),
  });
  const input = withoutUndefined({
    token: str('DISCORD_BOT_TOKEN') ?? pickConfigValue(file, 'token', 'bot_token', 'botToken'),
    apiBase: str('DISCORD_API_BASE') ?? pickConfigValue(file, 'api_base', 'apiBase'),
    attachmentHosts: configList(pickConfigValue(file, 'attachment_hosts', 'attachmentHosts')),
    allowedUsers: list('DISCORD_ALLOWED_USERS', 'allowed_users', 'allowedUsers', 'allow_from'),
    allowAllUsers: flag('DISCORD_ALLOW_ALL_USERS', 'allow_all_users', 'allowAllUsers'),
    homeChannel: str('DISCORD_HOME_CHANNEL') ?? pickConfigValue(file, 'home_channel', 'homeChannel'),
    requireMention: flag('DISCORD_REQUIRE_MENTION', 'require_mention', 'requireMention'),
    freeResponseChannels: list(
      'DISCORD_FREE_RESPONSE_CHANNELS',
      'free_response_channels',
      'freeResponseChannels',
    ),
    allowedChannels: list('DISCORD_ALLOWED_CHANNELS', 'allowed_channels', 'allowedChannels'),
    ignoredChannels: list('DISCORD_IGNORED_CHANNELS', 'ignored_channels', 'ignoredChannels'),
    noThreadChannels: list('DISCORD_NO_THREAD_CHANNELS', 'no_thread_channels', 'noThreadChannels'),
    allowedRoles: list('DISCORD_ALLOWED_ROLES', 'allowed_roles', 'allowedRoles'),
    autoThread: flag('DISCORD_AUTO_THREAD', 'auto_thread', 'autoThread'),
    autoArchiveMinutes: pickConfigValue(file, 'auto_archive_duration', 'autoArchiveMinutes'),
    ignoreNoMention: flag('DISCORD_IGNORE_NO_MENTION', 'ignore_no_mention', 'ignoreNoMention'),
    allowBots: str('DISCORD_ALLOW_BOTS')?.toLowerCase() ?? pickConfigValue(file, 'allow_bots', 'allowBots'),
    allowMentions: Object.keys(allowMentions).length > 0 ? allowMentions : undefined,
    maxUploadBytes: pickConfigValue(file, 'max_upload_bytes', 'maxUploadBytes'),
    maxDownloadBytes: pickConfigValue(file, 'max_download_bytes', 'maxDownloadBytes'),
    mediaAllowPrivate: flag('HERMES_MEDIA_ALLOW_PRIVATE', 'media_allow_private', 'mediaAllowPrivate'),
    reconnectBackoff: pickConfigValue(file, 'reconnect_backoff', 'reconnectBackoff'),
  });
  return parseDiscordConfig(input);
}
