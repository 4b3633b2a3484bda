import { AdapterError, type EnvLike, envFlag, envList } from '@hermes/adapter-core';
import { parseTelegramConfig, type TelegramConfig } from './config.js';
import { TELEGRAM_PLATFORM } from './constants.js';

function fail(message: string, fix: string): never {
  throw new AdapterError('config_invalid', message, { platform: TELEGRAM_PLATFORM, retryable: false, fix });
}

function pick(file: Record<string, unknown>, ...keys: string[]): unknown {
  for (const key of keys) if (file[key] !== undefined && file[key] !== null) return file[key];
  return undefined;
}

function asList(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter((v) => v.length > 0);
  if (typeof value === 'string') return envList({ v: value }, 'v');
  return [String(value)];
}

function str(env: EnvLike, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function flag(env: EnvLike, name: string, file: unknown): boolean | undefined {
  if (env[name] !== undefined && env[name]?.trim() !== '') return envFlag(env, name);
  return typeof file === 'boolean' ? file : undefined;
}

function int(env: EnvLike, name: string, file: unknown): number | undefined {
  const raw = str(env, name);
  if (raw === undefined) return typeof file === 'number' ? file : undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) fail(`${name} must be a whole number, got "${raw}"`, `set ${name} to e.g. 8443`);
  return n;
}

/** Seconds (fractions allowed) to whole milliseconds; a value that is not a number names the variable. */
function secondsMs(env: EnvLike, name: string): number | undefined {
  const raw = str(env, name);
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
  const raw = str(env, 'TELEGRAM_MENTION_PATTERNS');
  if (raw === undefined) return asList(file);
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
  const url = str(env, 'TELEGRAM_WEBHOOK_URL') ?? pick(file, 'webhook_url', 'webhookUrl');
  if (url === undefined) return undefined;
  const nested = pick(file, 'webhook');
  const w = typeof nested === 'object' && nested !== null ? (nested as Record<string, unknown>) : {};
  const port = int(env, 'TELEGRAM_WEBHOOK_PORT', pick(file, 'webhook_port', 'webhookPort') ?? w['port']);
  return defined({
    url,
    secret:
      str(env, 'TELEGRAM_WEBHOOK_SECRET') ?? pick(file, 'webhook_secret', 'webhookSecret') ?? w['secret'],
    host: str(env, 'TELEGRAM_WEBHOOK_HOST') ?? pick(file, 'webhook_host', 'webhookHost') ?? w['host'],
    port,
    path: pick(file, 'webhook_path', 'webhookPath') ?? w['path'],
  });
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Reads the Hermes env var names over `platforms.telegram` of config.yaml (its `extra` block included,
 * snake or camel case keys). The environment wins over the file.
 */
export function telegramConfigFromEnv(
  env: EnvLike,
  fileConfig: Record<string, unknown> = {},
): TelegramConfig {
  const extra = fileConfig['extra'];
  const file: Record<string, unknown> = {
    ...fileConfig,
    ...(typeof extra === 'object' && extra !== null ? (extra as Record<string, unknown>) : {}),
  };
  const listOf = (name: string, ...keys: string[]) =>
    str(env, name) !== undefined ? envList(env, name) : asList(pick(file, ...keys));
  const allowAll =
    env['TELEGRAM_ALLOW_ALL_USERS'] !== undefined || env['GATEWAY_ALLOW_ALL_USERS'] !== undefined
      ? envFlag(env, 'TELEGRAM_ALLOW_ALL_USERS') || envFlag(env, 'GATEWAY_ALLOW_ALL_USERS')
      : pick(file, 'allow_all_users', 'allowAllUsers');
  const input = defined({
    token: str(env, 'TELEGRAM_BOT_TOKEN') ?? pick(file, 'token', 'bot_token', 'botToken'),
    apiRoot: str(env, 'TELEGRAM_API_ROOT') ?? pick(file, 'api_root', 'apiRoot', 'base_url'),
    webhook: webhookFrom(env, file),
    stateDir: str(env, 'TELEGRAM_STATE_DIR') ?? pick(file, 'state_dir', 'stateDir'),
    requireMention: flag(env, 'TELEGRAM_REQUIRE_MENTION', pick(file, 'require_mention', 'requireMention')),
    mentionPatterns: mentionPatterns(env, pick(file, 'mention_patterns', 'mentionPatterns')),
    groupAllowedUsers: listOf('TELEGRAM_GROUP_ALLOWED_USERS', 'group_allowed_users', 'groupAllowedUsers'),
    groupAllowedChats: listOf('TELEGRAM_GROUP_ALLOWED_CHATS', 'group_allowed_chats', 'groupAllowedChats'),
    allowedUsers: listOf('TELEGRAM_ALLOWED_USERS', 'allowed_users', 'allowedUsers', 'allow_from'),
    allowAllUsers: allowAll,
    homeChannel: str(env, 'TELEGRAM_HOME_CHANNEL') ?? pick(file, 'home_channel', 'homeChannel'),
    commands: pick(file, 'commands'),
    reactions: flag(env, 'TELEGRAM_REACTIONS', pick(file, 'reactions')),
    textBatchDelayMs: secondsMs(env, 'HERMES_TELEGRAM_TEXT_BATCH_DELAY_SECONDS'),
    textBatchSplitDelayMs: secondsMs(env, 'HERMES_TELEGRAM_TEXT_BATCH_SPLIT_DELAY_SECONDS'),
    mediaAllowPrivate: flag(
      env,
      'HERMES_MEDIA_ALLOW_PRIVATE',
      pick(file, 'media_allow_private', 'mediaAllowPrivate'),
    ),
  });
  return parseTelegramConfig(input);
}
