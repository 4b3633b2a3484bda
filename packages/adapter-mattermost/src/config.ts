import {
  type EnvLike,
  envFlag,
  envList,
  MEDIA_ALLOW_PRIVATE_ENV,
  mediaAllowPrivateFromEnv,
  parseAdapterConfig,
} from '@hermes/adapter-core';
import { z } from 'zod';

/**
 * The env var names, spelled the way the Python Hermes gateway spells them, so an operator can switch
 * without renaming anything. The `_ACTIONS_*` names are new here: the Python adapter has no buttons.
 */
export const MATTERMOST_ENV = {
  url: 'MATTERMOST_URL',
  token: 'MATTERMOST_TOKEN',
  allowedUsers: 'MATTERMOST_ALLOWED_USERS',
  allowAllUsers: 'MATTERMOST_ALLOW_ALL_USERS',
  homeChannel: 'MATTERMOST_HOME_CHANNEL',
  requireMention: 'MATTERMOST_REQUIRE_MENTION',
  replyMode: 'MATTERMOST_REPLY_MODE',
  /** Where the Mattermost server reaches the button endpoint, e.g. `http://hermes.internal:8650`. */
  actionsUrl: 'MATTERMOST_ACTIONS_URL',
  actionsHost: 'MATTERMOST_ACTIONS_HOST',
  actionsPort: 'MATTERMOST_ACTIONS_PORT',
  actionsSecret: 'MATTERMOST_ACTIONS_SECRET',
} as const;

const REPLY_MODES = ['thread', 'off'] as const;

const actionsSchema = z
  .object({
    /** The base URL the Mattermost server posts button presses to (it must reach this host). */
    publicUrl: z.url({ error: `must be an http(s) URL: set ${MATTERMOST_ENV.actionsUrl}` }),
    /** Bind address of the button endpoint. Loopback unless a secret is set. */
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(8650),
    /**
     * Signs the token inside each button, so presses survive a restart and a non-loopback bind is
     * allowed. Without it a random per-process key is used and the endpoint stays on loopback.
     */
    secret: z.string().min(16, 'must be at least 16 characters').optional(),
  })
  .strict();

export const mattermostConfigSchema = z
  .object({
    /** The server's base URL, without `/api/v4`. */
    url: z
      .url({ error: `must be an http(s) URL like https://chat.example.com: set ${MATTERMOST_ENV.url}` })
      .refine((value) => /^https?:\/\//i.test(value), `must start with http:// or https://`),
    /** A bot account's access token (or a personal access token). Secret: never logged. */
    token: z
      .string({ error: `is missing: set ${MATTERMOST_ENV.token}` })
      .trim()
      .min(1, `is empty: set ${MATTERMOST_ENV.token}`),
    /** Read by the host's access control (the adapter delivers every message it accepts). */
    allowedUsers: z.array(z.string().min(1)).default([]),
    allowAllUsers: z.boolean().default(false),
    /** Channel id for cron output and cross-platform messages. */
    homeChannel: z.string().min(1).optional(),
    /** In channels and group DMs, only messages that @-mention the bot (or continue its threads) are taken. */
    requireMention: z.boolean().default(true),
    /** `thread`: a channel reply goes under the message that asked (root_id); `off`: into the channel. */
    replyMode: z.enum(REPLY_MODES).default('thread'),
    /** Inbound media larger than this is refused while streaming. */
    maxMediaBytes: z
      .number()
      .int()
      .positive()
      .default(50 * 1024 * 1024),
    /** Lets file downloads reach private and loopback addresses (a LAN server, tests); HERMES_MEDIA_ALLOW_PRIVATE. */
    allowPrivateMedia: z.boolean().default(false),
    /** Reconnect backoff: doubles from initialMs up to maxMs, 20 % jitter (the Python gateway's 2 → 60 s). */
    reconnect: z
      .object({
        initialMs: z.number().int().positive().default(2_000),
        maxMs: z.number().int().positive().default(60_000),
      })
      .default({ initialMs: 2_000, maxMs: 60_000 }),
    /** Bound on one REST call. */
    requestTimeoutMs: z.number().int().positive().default(30_000),
    /** WebSocket ping interval; three silent intervals count as a stall. */
    pingIntervalMs: z.number().int().positive().default(30_000),
    /** Interactive buttons (approvals); absent = no buttons, the text commands still work. */
    actions: actionsSchema.optional(),
  })
  .superRefine((config, ctx) => {
    const actions = config.actions;
    if (actions && !isLoopbackBind(actions.host) && actions.secret === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['actions', 'host'],
        message: `is ${actions.host}, which is not loopback: set ${MATTERMOST_ENV.actionsSecret} (16+ characters) or bind to 127.0.0.1`,
      });
    }
  });

function isLoopbackBind(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

/** The config after defaults are applied. */
export type MattermostConfig = z.output<typeof mattermostConfigSchema>;
/** What a caller may pass: every field with a default is optional. */
export type MattermostConfigInput = z.input<typeof mattermostConfigSchema>;

/** Validates a config; the error names every bad key and what to set. */
export function parseMattermostConfig(input: unknown): MattermostConfig {
  return parseAdapterConfig(mattermostConfigSchema, input, {
    platform: 'mattermost',
    label: 'Mattermost',
    fix: `Set ${MATTERMOST_ENV.url} and ${MATTERMOST_ENV.token} in ~/.hermes/.env (or platforms.mattermost in config.yaml).`,
  });
}

function setString(target: Record<string, unknown>, key: string, value: string | undefined): void {
  if (value !== undefined && value.trim() !== '') target[key] = value.trim();
}

function actionsFromEnv(env: EnvLike, file: unknown): Record<string, unknown> | undefined {
  const base = typeof file === 'object' && file !== null ? { ...(file as Record<string, unknown>) } : {};
  setString(base, 'publicUrl', env[MATTERMOST_ENV.actionsUrl]);
  setString(base, 'host', env[MATTERMOST_ENV.actionsHost]);
  setString(base, 'secret', env[MATTERMOST_ENV.actionsSecret]);
  const port = env[MATTERMOST_ENV.actionsPort];
  if (port !== undefined && port.trim() !== '') {
    // Left as a string when it is not a number, so the schema names the bad value.
    base['port'] = /^\d+$/.test(port.trim()) ? Number(port.trim()) : port;
  }
  return Object.keys(base).length === 0 ? undefined : base;
}

function replyModeFromEnv(value: string): string {
  return value.trim().toLowerCase();
}

/**
 * Reads the Hermes env var names over `platforms.mattermost` from config.yaml: env wins, as in the Python
 * gateway. Only variables that are set override the file.
 */
export function configFromEnv(env: EnvLike, fileConfig: Record<string, unknown> = {}): MattermostConfig {
  const fromEnv: Record<string, unknown> = {};
  setString(fromEnv, 'url', env[MATTERMOST_ENV.url]);
  const token = env[MATTERMOST_ENV.token];
  if (token !== undefined && token.trim() !== '') fromEnv['token'] = token;
  if (env[MATTERMOST_ENV.allowedUsers] !== undefined)
    fromEnv['allowedUsers'] = envList(env, MATTERMOST_ENV.allowedUsers);
  if (env[MATTERMOST_ENV.allowAllUsers] !== undefined)
    fromEnv['allowAllUsers'] = envFlag(env, MATTERMOST_ENV.allowAllUsers);
  setString(fromEnv, 'homeChannel', env[MATTERMOST_ENV.homeChannel]);
  if (env[MATTERMOST_ENV.requireMention] !== undefined)
    fromEnv['requireMention'] = envFlag(env, MATTERMOST_ENV.requireMention, true);
  const replyMode = env[MATTERMOST_ENV.replyMode];
  if (replyMode !== undefined && replyMode.trim() !== '') fromEnv['replyMode'] = replyModeFromEnv(replyMode);
  if (env[MEDIA_ALLOW_PRIVATE_ENV] !== undefined)
    fromEnv['allowPrivateMedia'] = mediaAllowPrivateFromEnv(env);
  const actions = actionsFromEnv(env, fileConfig['actions']);
  if (actions !== undefined) fromEnv['actions'] = actions;
  return parseMattermostConfig({ ...fileConfig, ...fromEnv });
}
