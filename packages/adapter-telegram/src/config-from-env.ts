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
import { parseTelegramConfig, type TelegramConfig } from './config.js';
import { TELEGRAM_PLATFORM } from './constants.js';

function fail(message: string, fix: string): never {
  throw new AdapterError('config_invalid', message, { platform: TELEGRAM_PLATFORM, retryable: false, fix });
}

function flag(env: EnvLike, name: string, file: unknown): boolean | undefined {
  if (env[name] !== undefined && env[name]?.trim() !== '') return envFlag(env, name);
  return typeof file === 'boolean' ? file : undefined;
}

function int(env: EnvLike, name: string, file: unknown): number | undefined {
  const raw = envString(env, name);
  if (raw === undefined) return typeof file === 'number' ? file : undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) fail(`${name} must be a whole number, got "${raw}"`, `set ${name} to e.g. 8443`);
  return n;
}

/** Seconds (fractions allowed) to whole milliseconds; a value that is not a number names the variable. */
function secondsMs(env: EnvLike, name: string): number | undefined {
  const raw = envString(env, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0)
    fail(`${name} must be a number of seconds, got "${raw}"`, `set ${name} to e.g. 0.6`);
  return Math.round(n * 1000);
}

/**
 * Regexes contain commas, so TELEGRAM_MENTION_PATTERNS is a JSON array (`["^hermes\\b"]`) or a single
 * pattern.
 */
function mentionPatterns(env: EnvLike, file: unknown): string[] | undefined {
  const raw = envString(env, 'TELEGRAM_MENTION_PATTERNS');
  if (raw === undefined) return configList(file);
  if (!raw.startsWith('[')) return [raw];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed)) return parsed.map(String);
  } catch {
    // Reported below with the fix.
  }
  return fail(
    'TELEGRAM_MENTION_PATTERNS is not a JSON array of strings',
    'write it as ["^hermes\\\\b", "bot,"]',
  );
}

function webhookFrom(env: EnvLike, file: Record<string, unknown>): Record<string, unknown> | undefined {
  const url = envString(env, 'TELEGRAM_WEBHOOK_URL') ?? pickConfigValue(file, 'webhook_url', 'webhookUrl');
  if (url === undefined) return undefined;
  const nested = pickConfigValue(file, 'webhook');
  const w = typeof nested === 'object' && nested !== null ? (nested as Record<string, unknown>) : {};
  const port = int(
    env,
    'TELEGRAM_WEBHOOK_PORT',
    pickConfigValue(file, 'webhook_port', 'webhookPort') ?? w['port'],
  );
  return withoutUndefined({
    url,
    secret:
      envString(env, 'TELEGRAM_WEBHOOK_SECRET') ??
      pickConfigValue(file, 'webhook_secret', 'webhookSecret') ??
      w['secret'],
    host:
      envString(env, 'TELEGRAM_WEBHOOK_HOST') ??
      pickConfigValue(file, 'webhook_host', 'webhookHost') ??
      w['host'],
    port,
    path: pickConfigValue(file, 'webhook_path', 'webhookPath') ?? w['path'],
  });
}

/**
 * Reads the Hermes env var names over `platforms.telegram` of config.yaml (its `extra` block included,
 * snake or camel case keys). The environment wins over the file.
 */
export function telegramConfigFromEnv(
  env: EnvLike,
  fileConfig: Record<string, unknown> = {},
): TelegramConfig {
  const file = platformFileConfig(fileConfig);
  const listOf = (name: string, ...keys: string[]) =>
    envString(env, name) !== undefined ? envList(env, name) : configList(pickConfigValue(file, ...keys));
  const allowAll =
    env['TELEGRAM_ALLOW_ALL_USERS'] !== undefined || env['GATEWAY_ALLOW_ALL_USERS'] !== undefined
      ? envFlag(env, 'TELEGRAM_ALLOW_ALL_USERS') || envFlag(env, 'GATEWAY_ALLOW_ALL_USERS')
      : pickConfigValue(file, 'allow_all_users', 'allowAllUsers');
  const input = withoutUndefined({
    token: envString(env, 'TELEGRAM_BOT_TOKEN') ?? pickConfigValue(file, 'token', 'bot_token', 'botToken'),
    apiRoot: envString(env, 'TELEGRAM_API_ROOT') ?? pickConfigValue(file, 'api_root', 'apiRoot', 'base_url'),
    webhook: webhookFrom(env, file),
    stateDir: envString(env, 'TELEGRAM_STATE_DIR') ?? pickConfigValue(file, 'state_dir', 'stateDir'),
    requireMention: flag(
      env,
      'TELEGRAM_REQUIRE_MENTION',
      pickConfigValue(file, 'require_mention', 'requireMention'),
    ),
    mentionPatterns: mentionPatterns(env, pickConfigValue(file, 'mention_patterns', 'mentionPatterns')),
    groupAllowedUsers: listOf('TELEGRAM_GROUP_ALLOWED_USERS', 'group_allowed_users', 'groupAllowedUsers'),
    groupAllowedChats: listOf('TELEGRAM_GROUP_ALLOWED_CHATS', 'group_allowed_chats', 'groupAllowedChats'),
    allowedUsers: listOf('TELEGRAM_ALLOWED_USERS', 'allowed_users', 'allowedUsers', 'allow_from'),
    allowAllUsers: allowAll,
    homeChannel:
      envString(env, 'TELEGRAM_HOME_CHANNEL') ?? pickConfigValue(file, 'home_channel', 'homeChannel'),
    commands: pickConfigValue(file, 'commands'),
    reactions: flag(env, 'TELEGRAM_REACTIONS', pickConfigValue(file, 'reactions')),
    textBatchDelayMs: secondsMs(env, 'HERMES_TELEGRAM_TEXT_BATCH_DELAY_SECONDS'),
    textBatchSplitDelayMs: secondsMs(env, 'HERMES_TELEGRAM_TEXT_BATCH_SPLIT_DELAY_SECONDS'),
    mediaAllowPrivate: flag(
      env,
      'HERMES_MEDIA_ALLOW_PRIVATE',
      pickConfigValue(file, 'media_allow_private', 'mediaAllowPrivate'),
    ),
  });
  return parseTelegramConfig(input);
}
