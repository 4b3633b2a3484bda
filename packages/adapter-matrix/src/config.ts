import {
  AdapterError,
  type EnvLike,
  envFlag,
  envList,
  MEDIA_ALLOW_PRIVATE_ENV,
  mediaAllowPrivateFromEnv,
} from '@hermes/adapter-core';
import { z } from 'zod';

/** The env var names, spelled the way the Python Hermes gateway spells them. */
export const MATRIX_ENV = {
  homeserver: 'MATRIX_HOMESERVER',
  accessToken: 'MATRIX_ACCESS_TOKEN',
  userId: 'MATRIX_USER_ID',
  password: 'MATRIX_PASSWORD',
  allowedUsers: 'MATRIX_ALLOWED_USERS',
  allowAllUsers: 'MATRIX_ALLOW_ALL_USERS',
  homeRoom: 'MATRIX_HOME_ROOM',
  requireMention: 'MATRIX_REQUIRE_MENTION',
  encryption: 'MATRIX_ENCRYPTION',
} as const;

const credentialFix = `Set ${MATRIX_ENV.accessToken}, or ${MATRIX_ENV.userId} and ${MATRIX_ENV.password}, in ~/.hermes/.env.`;

export const matrixConfigSchema = z
  .object({
    /** Client-server API base, e.g. https://matrix.example.org. */
    homeserver: z.url({ error: `must be an http(s) URL: set ${MATRIX_ENV.homeserver}` }),
    /** A ready access token. Secret: never logged. */
    accessToken: z.string().trim().min(1).optional(),
    /** Full user id (@bot:example.org); with `password`, the adapter logs in once and keeps the device. */
    userId: z
      .string()
      .trim()
      .regex(/^@[^:\s]+:\S+$/, `must look like @name:server: set ${MATRIX_ENV.userId}`)
      .optional(),
    /** Secret: used once to log in, never stored (the device token is stored instead). */
    password: z.string().min(1).optional(),
    /** Device display name given at login. */
    deviceName: z.string().min(1).default('Hermes Agent'),
    /** Read by the host's access control; also decides whose invites are accepted. */
    allowedUsers: z.array(z.string().min(1)).default([]),
    allowAllUsers: z.boolean().default(false),
    /** Default room for cron output and cross-platform messages. */
    homeChannel: z.string().min(1).optional(),
    /** Rooms with more than two members answer only when the bot is mentioned (or replied to). */
    requireMention: z.boolean().default(true),
    /** End-to-end encryption (Rust crypto, WASM). */
    encryption: z.boolean().default(false),
    /** Join rooms the allowed users invite the bot to. */
    autoJoin: z.boolean().default(true),
    /** Session (device id, token), sync position and crypto state; default `<media cache>/../matrix`. */
    stateDir: z.string().min(1).optional(),
    /** /sync long-poll timeout. */
    syncTimeoutMs: z.number().int().min(1_000).max(120_000).default(30_000),
    /** Inbound media larger than this is refused while streaming. */
    maxMediaBytes: z
      .number()
      .int()
      .positive()
      .default(20 * 1024 * 1024),
    /** Media URLs from message content on private addresses (the homeserver itself is always allowed). */
    allowPrivateMedia: z.boolean().default(false),
  })
  .superRefine((config, issue) => {
    if (config.accessToken !== undefined) return;
    if (config.userId === undefined || config.password === undefined) {
      issue.addIssue({
        code: 'custom',
        path: config.userId === undefined ? ['userId'] : ['password'],
        message: `is missing and no access token is set: ${credentialFix}`,
      });
    }
  });

/** The config after defaults are applied. */
export type MatrixConfig = z.output<typeof matrixConfigSchema>;
/** What a caller may pass: every field with a default is optional. */
export type MatrixConfigInput = z.input<typeof matrixConfigSchema>;

/** Validates a config; the error names every bad key and what to set. */
export function parseMatrixConfig(input: unknown): MatrixConfig {
  const result = matrixConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.join('.') || '(config)'} ${issue.message}`)
    .join('; ');
  throw new AdapterError('config_invalid', `Matrix config is invalid: ${problems}`, {
    platform: 'matrix',
    fix: `Set ${MATRIX_ENV.homeserver} and either ${MATRIX_ENV.accessToken} or ${MATRIX_ENV.userId} + ${MATRIX_ENV.password} (or platforms.matrix in config.yaml).`,
  });
}

function setString(env: EnvLike, name: string, into: Record<string, unknown>, key: string): void {
  const value = env[name];
  if (value !== undefined && value.trim() !== '') into[key] = value.trim();
}

/**
 * Reads the Hermes env var names over `platforms.matrix` from config.yaml: env wins, as in the Python
 * gateway. Only variables that are set override the file.
 */
export function configFromEnv(env: EnvLike, fileConfig: Record<string, unknown> = {}): MatrixConfig {
  const fromEnv: Record<string, unknown> = {};
  setString(env, MATRIX_ENV.homeserver, fromEnv, 'homeserver');
  setString(env, MATRIX_ENV.accessToken, fromEnv, 'accessToken');
  setString(env, MATRIX_ENV.userId, fromEnv, 'userId');
  // Passwords keep their spaces: only an empty value counts as unset.
  const password = env[MATRIX_ENV.password];
  if (password !== undefined && password !== '') fromEnv['password'] = password;
  setString(env, MATRIX_ENV.homeRoom, fromEnv, 'homeChannel');
  if (env[MATRIX_ENV.allowedUsers] !== undefined)
    fromEnv['allowedUsers'] = envList(env, MATRIX_ENV.allowedUsers);
  if (env[MATRIX_ENV.allowAllUsers] !== undefined)
    fromEnv['allowAllUsers'] = envFlag(env, MATRIX_ENV.allowAllUsers);
  if (env[MATRIX_ENV.requireMention] !== undefined)
    fromEnv['requireMention'] = envFlag(env, MATRIX_ENV.requireMention);
  if (env[MATRIX_ENV.encryption] !== undefined) fromEnv['encryption'] = envFlag(env, MATRIX_ENV.encryption);
  if (env[MEDIA_ALLOW_PRIVATE_ENV] !== undefined)
    fromEnv['allowPrivateMedia'] = mediaAllowPrivateFromEnv(env);
  return parseMatrixConfig({ ...fileConfig, ...fromEnv });
}

/** Matrix user ids are case-sensitive in the localpart only by convention; servers lower-case them. */
export function normalizeMatrixUserId(id: string): string {
  const trimmed = id.trim();
  const bare = trimmed.replace(/^https:\/\/matrix\.to\/#\//, '');
  return bare.startsWith('@') ? bare.toLowerCase() : bare;
}
