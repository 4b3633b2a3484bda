// @ts-check
/** src/config.ts and its test: the zod schema and the Hermes env var names. */

/** @typedef {import('../names.mjs').PlatformNames} PlatformNames */

/**
 * @param {PlatformNames} n
 * @returns {string}
 */
export function configTs(n) {
  const E = n.envPrefix;
  return `import {
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
 * without renaming anything. TODO(scaffold): if ${n.label} needs more than one credential (app id + secret,
 * account + URL, ...), add them here and to the schema, and list them in the descriptor's requiredEnv.
 */
export const ${n.constant}_ENV = {
  token: '${E}_BOT_TOKEN',
  allowedUsers: '${E}_ALLOWED_USERS',
  allowAllUsers: '${E}_ALLOW_ALL_USERS',
  homeChannel: '${E}_HOME_CHANNEL',
  /** Not in the Python original: points the adapter at a self-hosted server or at the loopback fake in tests. */
  apiUrl: '${E}_API_URL',
} as const;

export const ${n.camel}ConfigSchema = z.object({
  /** The bot credential. Secret: never logged. */
  token: z
    .string({ error: \`is missing: set \${${n.constant}_ENV.token}\` })
    .trim()
    .min(1, \`is empty: set \${${n.constant}_ENV.token}\`),
  /** TODO(scaffold): put ${n.label}'s real API address here. */
  apiUrl: z.url().default('https://api.${n.kebab}.invalid'),
  /** Read by the host's access control (the adapter itself delivers every message it receives). */
  allowedUsers: z.array(z.string().min(1)).default([]),
  allowAllUsers: z.boolean().default(false),
  /** Default destination for cron output and cross-platform messages. */
  homeChannel: z.string().min(1).optional(),
  /** Inbound media larger than this is refused while streaming. */
  maxMediaBytes: z
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  /** Lets media URLs reach private and loopback addresses (self-hosted servers, tests). Off by default; HERMES_MEDIA_ALLOW_PRIVATE. */
  allowPrivateMedia: z.boolean().default(false),
});

/** The config after defaults are applied. */
export type ${n.pascal}Config = z.output<typeof ${n.camel}ConfigSchema>;
/** What a caller may pass: every field with a default is optional. */
export type ${n.pascal}ConfigInput = z.input<typeof ${n.camel}ConfigSchema>;

/** Validates a config; the error names every bad key and what to set. */
export function parse${n.pascal}Config(input: unknown): ${n.pascal}Config {
  return parseAdapterConfig(${n.camel}ConfigSchema, input, {
    platform: '${n.id}',
    label: '${n.label}',
    fix: \`Set \${${n.constant}_ENV.token} in ~/.hermes/.env (or platforms.${n.id}.token in config.yaml).\`,
    envOf: { token: ${n.constant}_ENV.token, apiUrl: ${n.constant}_ENV.apiUrl },
  });
}

/**
 * Reads the Hermes env var names over \`platforms.${n.id}\` from config.yaml: env wins, as in the Python
 * gateway. Only variables that are set override the file.
 */
export function configFromEnv(env: EnvLike, fileConfig: Record<string, unknown> = {}): ${n.pascal}Config {
  const fromEnv: Record<string, unknown> = {};
  const token = env[${n.constant}_ENV.token];
  if (token !== undefined && token.trim() !== '') fromEnv['token'] = token;
  const apiUrl = env[${n.constant}_ENV.apiUrl];
  if (apiUrl !== undefined && apiUrl.trim() !== '') fromEnv['apiUrl'] = apiUrl.trim();
  if (env[${n.constant}_ENV.allowedUsers] !== undefined) fromEnv['allowedUsers'] = envList(env, ${n.constant}_ENV.allowedUsers);
  if (env[${n.constant}_ENV.allowAllUsers] !== undefined) fromEnv['allowAllUsers'] = envFlag(env, ${n.constant}_ENV.allowAllUsers);
  const homeChannel = env[${n.constant}_ENV.homeChannel];
  if (homeChannel !== undefined && homeChannel.trim() !== '') fromEnv['homeChannel'] = homeChannel.trim();
  if (env[MEDIA_ALLOW_PRIVATE_ENV] !== undefined) fromEnv['allowPrivateMedia'] = mediaAllowPrivateFromEnv(env);
  return parse${n.pascal}Config({ ...fileConfig, ...fromEnv });
}
`;
}

/**
 * A real, passing test beside the failing conformance suite: the env names are part of the contract.
 * @param {PlatformNames} n
 * @returns {string}
 */
export function configTestTs(n) {
  const E = n.envPrefix;
  return `import { AdapterError } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.js';

describe('${n.kebab} configFromEnv', () => {
  it('reads the Hermes env var names', () => {
    const config = configFromEnv({
      ${E}_BOT_TOKEN: 'secret-token',
      ${E}_ALLOWED_USERS: 'alice, bob,,',
      ${E}_ALLOW_ALL_USERS: 'true',
      ${E}_HOME_CHANNEL: 'general',
    });
    expect(config.token).toBe('secret-token');
    expect(config.allowedUsers).toEqual(['alice', 'bob']);
    expect(config.allowAllUsers).toBe(true);
    expect(config.homeChannel).toBe('general');
  });

  it('lets env override config.yaml and keeps file values env does not set', () => {
    const config = configFromEnv({ ${E}_BOT_TOKEN: 'from-env' }, { token: 'from-file', allowedUsers: ['carol'] });
    expect(config.token).toBe('from-env');
    expect(config.allowedUsers).toEqual(['carol']);
  });

  it('names the missing variable when the token is absent', () => {
    expect(() => configFromEnv({})).toThrow(AdapterError);
    expect(() => configFromEnv({})).toThrow(/token \\(${E}_BOT_TOKEN\\) is missing: set ${E}_BOT_TOKEN/);
  });
});
`;
}
