import {
  configList,
  type EnvLike,
  envFlag,
  envString,
  MEDIA_ALLOW_PRIVATE_ENV,
  mediaAllowPrivateFromEnv,
  parseAdapterConfig,
  pickConfigValue,
  platformFileConfig,
  withoutUndefined,
} from '@hermes/adapter-core';
import { z } from 'zod';
import {
  DINGTALK_CONNECT_TIMEOUT_MS,
  DINGTALK_DEFAULT_API_BASE,
  DINGTALK_HEARTBEAT_INTERVAL_MS,
  DINGTALK_PLATFORM,
  DINGTALK_RECONNECT_DELAYS_MS,
  DINGTALK_REQUEST_TIMEOUT_MS,
} from './constants.js';

/**
 * The env var names, spelled the way the Python Hermes gateway spells them, so an operator can switch
 * without renaming anything. `DINGTALK_API_BASE`, `DINGTALK_ROBOT_CODE` and `DINGTALK_CARD_TEMPLATE_ID` are
 * this port's names (the Python gateway reads robot code and card template from config.yaml only), and so
 * is `DINGTALK_REACTIONS`.
 */
export const DINGTALK_ENV = {
  clientId: 'DINGTALK_CLIENT_ID',
  clientSecret: 'DINGTALK_CLIENT_SECRET',
  allowedUsers: 'DINGTALK_ALLOWED_USERS',
  allowAllUsers: 'DINGTALK_ALLOW_ALL_USERS',
  homeChannel: 'DINGTALK_HOME_CHANNEL',
  requireMention: 'DINGTALK_REQUIRE_MENTION',
  freeResponseChats: 'DINGTALK_FREE_RESPONSE_CHATS',
  mentionPatterns: 'DINGTALK_MENTION_PATTERNS',
  allowedChats: 'DINGTALK_ALLOWED_CHATS',
  apiBase: 'DINGTALK_API_BASE',
  robotCode: 'DINGTALK_ROBOT_CODE',
  cardTemplateId: 'DINGTALK_CARD_TEMPLATE_ID',
  reactions: 'DINGTALK_REACTIONS',
} as const;

const required = (env: string, key: string) => `is missing: set ${env} (or platforms.dingtalk.${key})`;
const ms = (fallback: number, min = 1) => z.number().int().min(min).default(fallback);

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'iu');
    return true;
  } catch {
    return false;
  }
}

export const dingtalkConfigSchema = z.object({
  /** The app's Client ID (AppKey). */
  clientId: z
    .string({ error: required(DINGTALK_ENV.clientId, 'client_id') })
    .trim()
    .min(1, required(DINGTALK_ENV.clientId, 'client_id')),
  /** The app's Client Secret (AppSecret). Secret: never logged. */
  clientSecret: z
    .string({ error: required(DINGTALK_ENV.clientSecret, 'client_secret') })
    .trim()
    .min(1, required(DINGTALK_ENV.clientSecret, 'client_secret')),
  /** Base of every DingTalk HTTP call (stream ticket, token, robot send, file download, cards). */
  apiBase: z
    .string()
    .trim()
    .default(DINGTALK_DEFAULT_API_BASE)
    .refine(
      (u) => /^https?:\/\/[^\s/]+\/?$/i.test(u),
      'must be an http(s) origin such as https://api.dingtalk.com',
    )
    .transform((u) => u.replace(/\/$/, '')),
  /** The robot's code for proactive sends and file downloads; DingTalk sets it to the Client ID by default. */
  robotCode: z.string().trim().min(1).optional(),
  /** An AI Card template id: replies then stream into a card. */
  cardTemplateId: z.string().trim().min(1).optional(),
  /** 🤔Thinking on a message while the agent works, 🥳Done once it answered (needs the emotion API permission). */
  reactions: z.boolean().default(true),
  /** Read by the host's access control (the adapter itself delivers every message it receives). */
  allowedUsers: z.array(z.string().min(1)).default([]),
  allowAllUsers: z.boolean().default(false),
  /** Default destination for cron output: a group's conversation id (`cid…`) or a user's staff id. */
  homeChannel: z.string().trim().min(1).optional(),
  /** Groups: only messages that @mention the bot (or match a mention pattern) are handled. */
  requireMention: z.boolean().default(false),
  /** Regular expressions (case-insensitive) that count as addressing the bot in a group. */
  mentionPatterns: z
    .array(z.string().min(1).refine(compiles, 'is not a valid regular expression'))
    .default([]),
  /** Groups where every message is handled, mention or not. */
  freeResponseChats: z.array(z.string().min(1)).default([]),
  /** When set, group messages from any other group are dropped. */
  allowedChats: z.array(z.string().min(1)).default([]),
  reconnectDelaysMs: z
    .array(z.number().int().min(0))
    .min(1)
    .default([...DINGTALK_RECONNECT_DELAYS_MS]),
  heartbeatIntervalMs: ms(DINGTALK_HEARTBEAT_INTERVAL_MS, 100),
  connectTimeoutMs: ms(DINGTALK_CONNECT_TIMEOUT_MS, 100),
  requestTimeoutMs: ms(DINGTALK_REQUEST_TIMEOUT_MS, 100),
  /** Inbound media larger than this is refused while streaming. */
  maxMediaBytes: z
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  /** Lets media URLs reach private and loopback addresses (tests). Off by default; HERMES_MEDIA_ALLOW_PRIVATE. */
  allowPrivateMedia: z.boolean().default(false),
});

/** The config after defaults are applied. */
export type DingtalkConfig = z.output<typeof dingtalkConfigSchema>;
/** What a caller may pass: every field with a default is optional. */
export type DingtalkConfigInput = z.input<typeof dingtalkConfigSchema>;

/** Validates a config; the error names every bad key and what to set. */
export function parseDingtalkConfig(input: unknown): DingtalkConfig {
  return parseAdapterConfig(dingtalkConfigSchema, input, {
    platform: DINGTALK_PLATFORM,
    label: 'DingTalk',
    fix: `Set ${DINGTALK_ENV.clientId} and ${DINGTALK_ENV.clientSecret} in ~/.hermes/.env (or platforms.dingtalk in config.yaml) and correct the keys named above.`,
  });
}

/** A JSON array of patterns, or one pattern per line, or comma-separated ones (patterns without commas). */
function patternList(raw: string): string[] {
  const text = raw.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(String).filter((p) => p.trim().length > 0);
    } catch {
      // Not JSON after all: fall through to the line/comma forms and let the schema name a bad pattern.
    }
  }
  const separator = text.includes('\n') ? '\n' : ',';
  return text
    .split(separator)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/**
 * Reads the Hermes env var names over `platforms.dingtalk` of config.yaml (its `extra` block included,
 * snake or camel case keys). Only variables that are set override the file.
 */
export function configFromEnv(env: EnvLike, fileConfig: Record<string, unknown> = {}): DingtalkConfig {
  const file = platformFileConfig(fileConfig);
  const str = (name: string) => envString(env, name);
  const list = (name: string, ...keys: string[]) =>
    env[name] !== undefined ? configList(env[name]) : configList(pickConfigValue(file, ...keys));
  const flag = (name: string, ...keys: string[]) =>
    env[name] !== undefined && env[name]?.trim() !== ''
      ? envFlag(env, name)
      : (pickConfigValue(file, ...keys) as boolean | undefined);
  const patternsEnv = str(DINGTALK_ENV.mentionPatterns);
  const input = withoutUndefined({
    clientId: str(DINGTALK_ENV.clientId) ?? pickConfigValue(file, 'client_id', 'clientId'),
    clientSecret: str(DINGTALK_ENV.clientSecret) ?? pickConfigValue(file, 'client_secret', 'clientSecret'),
    apiBase: str(DINGTALK_ENV.apiBase) ?? pickConfigValue(file, 'api_base', 'apiBase'),
    robotCode: str(DINGTALK_ENV.robotCode) ?? pickConfigValue(file, 'robot_code', 'robotCode'),
    cardTemplateId:
      str(DINGTALK_ENV.cardTemplateId) ?? pickConfigValue(file, 'card_template_id', 'cardTemplateId'),
    reactions: flag(DINGTALK_ENV.reactions, 'reactions'),
    allowedUsers: list(DINGTALK_ENV.allowedUsers, 'allowed_users', 'allowedUsers'),
    allowAllUsers: flag(DINGTALK_ENV.allowAllUsers, 'allow_all_users', 'allowAllUsers'),
    homeChannel: str(DINGTALK_ENV.homeChannel) ?? pickConfigValue(file, 'home_channel', 'homeChannel'),
    requireMention: flag(DINGTALK_ENV.requireMention, 'require_mention', 'requireMention'),
    mentionPatterns:
      patternsEnv !== undefined
        ? patternList(patternsEnv)
        : configList(pickConfigValue(file, 'mention_patterns', 'mentionPatterns')),
    freeResponseChats: list(DINGTALK_ENV.freeResponseChats, 'free_response_chats', 'freeResponseChats'),
    allowedChats: list(DINGTALK_ENV.allowedChats, 'allowed_chats', 'allowedChats'),
    allowPrivateMedia:
      env[MEDIA_ALLOW_PRIVATE_ENV] !== undefined
        ? mediaAllowPrivateFromEnv(env)
        : (pickConfigValue(file, 'media_allow_private', 'allowPrivateMedia') as boolean | undefined),
  });
  return parseDingtalkConfig(input);
}
