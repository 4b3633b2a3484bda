import { AdapterError, type EnvLike, envFlag, envList } from '@hermes/adapter-core';
import { z } from 'zod';
import { SIGNAL_MAX_ATTACHMENT_BYTES } from './constants.js';

/** The env var names of the Python Hermes gateway, so an operator switches without renaming anything. */
export const SIGNAL_ENV = {
  httpUrl: 'SIGNAL_HTTP_URL',
  account: 'SIGNAL_ACCOUNT',
  allowedUsers: 'SIGNAL_ALLOWED_USERS',
  allowAllUsers: 'SIGNAL_ALLOW_ALL_USERS',
  groupAllowedUsers: 'SIGNAL_GROUP_ALLOWED_USERS',
  ignoreStories: 'SIGNAL_IGNORE_STORIES',
  requireMention: 'SIGNAL_REQUIRE_MENTION',
  homeChannel: 'SIGNAL_HOME_CHANNEL',
} as const;

const milliseconds = z.number().int().positive();

export const signalConfigSchema = z.object({
  /** Base URL of `signal-cli daemon --http`, e.g. http://127.0.0.1:8080. */
  httpUrl: z.url({ error: `is missing or not a URL: set ${SIGNAL_ENV.httpUrl}=http://127.0.0.1:8080` }),
  /** The bot's own number (E.164), as registered or linked in signal-cli. */
  account: z
    .string({ error: `is missing: set ${SIGNAL_ENV.account}=+15551234567` })
    .trim()
    .regex(/^\+[1-9]\d{6,14}$/, `must be an E.164 number such as +15551234567 (${SIGNAL_ENV.account})`),
  /** The bot's service id (ACI uuid), when known in advance; otherwise it is asked from the daemon. */
  accountUuid: z.string().trim().min(1).optional(),
  /** Read by the host's access control (the adapter delivers every DM it receives). */
  allowedUsers: z.array(z.string().min(1)).default([]),
  allowAllUsers: z.boolean().default(false),
  /**
   * Group ids (base64, with or without `group:`) the bot listens in, or `*` for every group. Empty (the
   * default, as in the Python gateway): group messages are ignored.
   */
  groupAllowedUsers: z.array(z.string().min(1)).default([]),
  /** Stories are dropped unless this is false. */
  ignoreStories: z.boolean().default(true),
  /** In groups, only messages that mention the bot (or quote it) are delivered. */
  requireMention: z.boolean().default(false),
  /** Default destination for cron output and cross-platform messages: a number, uuid or `group:<id>`. */
  homeChannel: z.string().min(1).optional(),
  /** Attachments above this are refused both ways. */
  maxMediaBytes: z
    .number()
    .int()
    .positive()
    .max(SIGNAL_MAX_ATTACHMENT_BYTES)
    .default(SIGNAL_MAX_ATTACHMENT_BYTES),
  /**
   * How outgoing files reach the daemon: `data-uri` (base64 in the request; works when the daemon runs
   * elsewhere or in a container) or `path` (the daemon reads the file; it must see the same filesystem).
   */
  outboundAttachments: z.enum(['data-uri', 'path']).default('data-uri'),
  /** Send Markdown emphasis as Signal text styles (BOLD, ITALIC, STRIKETHROUGH, MONOSPACE). */
  textStyles: z.boolean().default(true),
  /** GET /api/v1/check this often while connected; a failure reconnects. */
  healthCheckIntervalMs: milliseconds.default(30_000),
  /** No event or keepalive on the stream for this long: reconnect. The daemon writes a keepalive every 15 s. */
  staleAfterMs: milliseconds.default(120_000),
  /** SSE reconnect backoff: doubles from `reconnectInitialMs` to `reconnectMaxMs`, 20 % jitter. */
  reconnectInitialMs: milliseconds.default(2_000),
  reconnectMaxMs: milliseconds.default(60_000),
  /** One JSON-RPC call (a send with a large attachment included). */
  rpcTimeoutMs: milliseconds.default(60_000),
});

/** The config after defaults are applied. */
export type SignalConfig = z.output<typeof signalConfigSchema>;
/** What a caller may pass: every field with a default is optional. */
export type SignalConfigInput = z.input<typeof signalConfigSchema>;

/** Validates a config; the error names every bad key and what to set. */
export function parseSignalConfig(input: unknown): SignalConfig {
  const result = signalConfigSchema.safeParse(input);
  if (result.success) {
    if (result.data.reconnectMaxMs < result.data.reconnectInitialMs) {
      throw new AdapterError(
        'config_invalid',
        'Signal config is invalid: reconnectMaxMs is below reconnectInitialMs',
        {
          platform: 'signal',
          fix: 'Raise reconnectMaxMs or lower reconnectInitialMs.',
        },
      );
    }
    return result.data;
  }
  const problems = result.error.issues
    .map((issue) => `${issue.path.join('.') || '(config)'} ${issue.message}`)
    .join('; ');
  throw new AdapterError('config_invalid', `Signal config is invalid: ${problems}`, {
    platform: 'signal',
    fix: `Set ${SIGNAL_ENV.httpUrl} and ${SIGNAL_ENV.account} in ~/.hermes/.env (or platforms.signal.http_url / account in config.yaml).`,
  });
}

function setString(out: Record<string, unknown>, key: string, value: string | undefined): void {
  if (value !== undefined && value.trim() !== '') out[key] = value.trim();
}

/** config.yaml spells keys the Python way (`http_url`); the schema uses camelCase. */
const FILE_KEYS: Readonly<Record<string, string>> = {
  http_url: 'httpUrl',
  account_uuid: 'accountUuid',
  allowed_users: 'allowedUsers',
  allow_all_users: 'allowAllUsers',
  group_allowed_users: 'groupAllowedUsers',
  ignore_stories: 'ignoreStories',
  require_mention: 'requireMention',
  home_channel: 'homeChannel',
};

function fromFile(fileConfig: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fileConfig)) out[FILE_KEYS[key] ?? key] = value;
  return out;
}

/**
 * Reads the Hermes env var names over `platforms.signal` from config.yaml: env wins, as in the Python
 * gateway. Only variables that are set override the file.
 */
export function configFromEnv(env: EnvLike, fileConfig: Record<string, unknown> = {}): SignalConfig {
  const fromEnv: Record<string, unknown> = {};
  setString(fromEnv, 'httpUrl', env[SIGNAL_ENV.httpUrl]);
  setString(fromEnv, 'account', env[SIGNAL_ENV.account]);
  setString(fromEnv, 'homeChannel', env[SIGNAL_ENV.homeChannel]);
  if (env[SIGNAL_ENV.allowedUsers] !== undefined)
    fromEnv['allowedUsers'] = envList(env, SIGNAL_ENV.allowedUsers);
  if (env[SIGNAL_ENV.groupAllowedUsers] !== undefined)
    fromEnv['groupAllowedUsers'] = envList(env, SIGNAL_ENV.groupAllowedUsers);
  if (env[SIGNAL_ENV.allowAllUsers] !== undefined)
    fromEnv['allowAllUsers'] = envFlag(env, SIGNAL_ENV.allowAllUsers);
  if (env[SIGNAL_ENV.ignoreStories] !== undefined)
    fromEnv['ignoreStories'] = envFlag(env, SIGNAL_ENV.ignoreStories, true);
  if (env[SIGNAL_ENV.requireMention] !== undefined)
    fromEnv['requireMention'] = envFlag(env, SIGNAL_ENV.requireMention);
  return parseSignalConfig({ ...fromFile(fileConfig), ...fromEnv });
}
