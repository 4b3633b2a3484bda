import { AdapterError, type EnvLike, envFlag, envInt, envList } from '@hermes/adapter-core';
import { z } from 'zod';

export const API_SERVER_PLATFORM = 'api_server';

// A name as it appears in a Host header: no scheme, port, path or user info (IPv6 without brackets).
const DNS_NAME = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*$/;
// Two colons at least, so `name:port` is never taken for an IPv6 address.
const IPV6_ADDRESS = /^[0-9a-f.]*:[0-9a-f.]*:[0-9a-f:.]*$/;

const allowedHostSchema = z
  .string()
  .trim()
  .transform((h) =>
    h
      .replace(/^\[|\]$/g, '')
      .replace(/\.$/, '')
      .toLowerCase(),
  )
  .refine((h) => DNS_NAME.test(h) || IPV6_ADDRESS.test(h), {
    message:
      'API_SERVER_ALLOWED_HOSTS entries are host names or addresses without scheme, port or path (e.g. api.example.com)',
  });

/** The adapter's own config, in TypeScript names. `configFromEnv` maps the Hermes names onto it. */
export const apiServerConfigSchema = z
  .object({
    /** Bind address. Anything but loopback needs `key`. */
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 picks a free port (tests). */
    port: z.number().int().min(0).max(65535).default(8642),
    /** Bearer key clients must send. Optional on loopback only. */
    key: z.string().min(8, 'API_SERVER_KEY must be at least 8 characters').optional(),
    /**
     * Browser origins allowed by CORS. Empty: no CORS headers at all. `*` allows any origin. A request
     * whose `Origin` is not listed is refused (403), whatever its method.
     */
    corsOrigins: z.array(z.string().min(1)).default([]),
    /**
     * Extra names clients may reach the server by (the `Host` header), beyond the bound address and the
     * loopback names. Stops DNS rebinding. On a wildcard bind (`0.0.0.0`, `::`) an empty list accepts any Host.
     */
    allowedHosts: z.array(allowedHostSchema).default([]),
    /**
     * Without a key every turn runs without the `terminal` toolset, because any local process (and any
     * page that gets a request through) could drive it. True keeps the terminal on anyway.
     */
    allowTerminalWithoutKey: z.boolean().default(false),
    /** The one model id `/v1/models` lists and completions report. */
    modelName: z.string().min(1).default('hermes-agent'),
    /** Other model names a request may ask for (clients that hard-code one); anything else gets 404. */
    modelAliases: z.array(z.string().trim().min(1)).default([]),
    /** Requests in flight at once; one more gets 429. */
    maxConcurrentRuns: z.number().int().min(1).default(10),
    /**
     * Request body cap in bytes; a larger body gets 413. 1 MiB is about 250k tokens of text, more than a
     * model context holds; images are not forwarded, so inline image data only costs memory.
     */
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
    /** How long a request waits for the host's reply before a 504. */
    runTimeoutMs: z.number().int().min(1000).default(600_000),
    /** How long the client may take to send its request body. */
    bodyTimeoutMs: z.number().int().min(100).default(30_000),
    /** SSE comment sent while a stream is quiet, so proxies keep the connection open. */
    keepAliveIntervalMs: z.number().int().min(100).default(15_000),
    /** Stored responses (`POST /v1/responses` without `store: false`) kept at most; the oldest go first. */
    maxStoredResponses: z.number().int().min(1).default(1000),
    /** How long a stored response can be read back or continued (default 30 days, as OpenAI keeps them). */
    storedResponseMaxAgeMs: z
      .number()
      .int()
      .min(1000)
      .default(30 * 86_400_000),
  })
  .strict();

export type ApiServerConfig = z.output<typeof apiServerConfigSchema>;
export type ApiServerConfigInput = z.input<typeof apiServerConfigSchema>;

/** `platforms.api_server` in config.yaml (snake_case, as the Python original writes it). */
const fileSchema = z
  .object({
    enabled: z.boolean().optional(),
    host: z.string().optional(),
    port: z.number().int().optional(),
    key: z.string().optional(),
    api_key: z.string().optional(),
    cors_origins: z.union([z.array(z.string()), z.string()]).optional(),
    allowed_hosts: z.union([z.array(z.string()), z.string()]).optional(),
    allow_terminal_without_key: z.boolean().optional(),
    model_name: z.string().optional(),
    model_aliases: z.union([z.array(z.string()), z.string()]).optional(),
    max_concurrent_runs: z.number().int().optional(),
    max_body_bytes: z.number().int().optional(),
    run_timeout_seconds: z.number().optional(),
    max_stored_responses: z.number().int().optional(),
    stored_responses_max_age_days: z.number().optional(),
  })
  .strict();

type FileConfig = z.output<typeof fileSchema>;

function describeZodError(error: z.ZodError, where: string): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.join('.') || '(root)';
      if (issue.code === 'unrecognized_keys') return `${where}: unknown key(s) ${issue.keys.join(', ')}`;
      return `${where}.${key}: ${issue.message}`;
    })
    .join('; ');
}

function parseFileConfig(fileConfig: Record<string, unknown> | undefined): FileConfig {
  if (!fileConfig) return {};
  // The original bridges platform keys through `extra`; accept them in either place.
  const { extra, ...top } = fileConfig;
  const merged = { ...(typeof extra === 'object' && extra !== null ? extra : {}), ...top };
  const parsed = fileSchema.safeParse(merged);
  if (!parsed.success) {
    throw new AdapterError('config_invalid', describeZodError(parsed.error, 'platforms.api_server'), {
      platform: API_SERVER_PLATFORM,
      fix: 'Remove or correct the key in config.yaml; see the @hermes/adapter-api-server README for the list.',
    });
  }
  return parsed.data;
}

/** Validates a config object, throwing an AdapterError that names the bad key. */
export function parseApiServerConfig(input: ApiServerConfigInput): ApiServerConfig {
  const parsed = apiServerConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new AdapterError('config_invalid', describeZodError(parsed.error, 'api_server'), {
      platform: API_SERVER_PLATFORM,
      fix: 'Correct the value (env var API_SERVER_* or platforms.api_server in config.yaml).',
    });
  }
  return parsed.data;
}

/**
 * A flag that widens what a keyless server may do must not turn on by a typo, and must not silently stay
 * off either: anything but a clear yes/no is an error naming the variable.
 */
function strictFlag(env: EnvLike, name: string): boolean {
  const on = envFlag(env, name, false);
  if (on || !envFlag(env, name, true)) return on;
  throw new AdapterError('config_invalid', `${name} must be true or false, got "${env[name]?.trim()}"`, {
    platform: API_SERVER_PLATFORM,
    fix: `Set ${name}=true or ${name}=false (or remove it).`,
  });
}

const pick = <T>(...values: Array<T | undefined>): T | undefined => values.find((v) => v !== undefined);
const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/** A list from the environment (comma-separated) wins over the config.yaml one (list or comma string). */
function pickList(env: EnvLike, name: string, file: string[] | string | undefined): string[] | undefined {
  const fromEnv = envList(env, name);
  if (fromEnv.length > 0) return fromEnv;
  const fromFile = typeof file === 'string' ? file.split(',') : file;
  return fromFile?.map((v) => v.trim()).filter(Boolean);
}

/**
 * Reads API_SERVER_HOST, API_SERVER_PORT, API_SERVER_KEY, API_SERVER_CORS_ORIGINS, API_SERVER_ALLOWED_HOSTS,
 * API_SERVER_ALLOW_TERMINAL_WITHOUT_KEY, API_SERVER_MODEL_NAME, API_SERVER_MODEL_ALIASES,
 * API_SERVER_RESPONSES_MAX_STORED and API_SERVER_RESPONSES_MAX_AGE_DAYS over
 * `platforms.api_server` from config.yaml. Environment wins.
 */
export function apiServerConfigFromEnv(env: EnvLike, fileConfig?: Record<string, unknown>): ApiServerConfig {
  const file = parseFileConfig(fileConfig);
  const input: ApiServerConfigInput = {};
  const host = pick(nonEmpty(env['API_SERVER_HOST']), file.host);
  if (host !== undefined) input.host = host;
  const port = env['API_SERVER_PORT'] ? envInt(env, 'API_SERVER_PORT', 8642) : file.port;
  if (port !== undefined) input.port = port;
  const key = pick(nonEmpty(env['API_SERVER_KEY']), file.key, file.api_key);
  if (key !== undefined) input.key = key;
  const origins = pickList(env, 'API_SERVER_CORS_ORIGINS', file.cors_origins);
  if (origins !== undefined) input.corsOrigins = origins;
  const allowedHosts = pickList(env, 'API_SERVER_ALLOWED_HOSTS', file.allowed_hosts);
  if (allowedHosts !== undefined) input.allowedHosts = allowedHosts;
  const terminal = nonEmpty(env['API_SERVER_ALLOW_TERMINAL_WITHOUT_KEY']);
  if (terminal !== undefined) {
    input.allowTerminalWithoutKey = strictFlag(env, 'API_SERVER_ALLOW_TERMINAL_WITHOUT_KEY');
  } else if (file.allow_terminal_without_key !== undefined) {
    input.allowTerminalWithoutKey = file.allow_terminal_without_key;
  }
  const model = pick(nonEmpty(env['API_SERVER_MODEL_NAME']), file.model_name);
  if (model !== undefined) input.modelName = model;
  const aliases = pickList(env, 'API_SERVER_MODEL_ALIASES', file.model_aliases);
  if (aliases !== undefined) input.modelAliases = aliases;
  if (file.max_concurrent_runs !== undefined) input.maxConcurrentRuns = file.max_concurrent_runs;
  if (file.max_body_bytes !== undefined) input.maxBodyBytes = file.max_body_bytes;
  if (file.run_timeout_seconds !== undefined)
    input.runTimeoutMs = Math.round(file.run_timeout_seconds * 1000);
  const maxStored = env['API_SERVER_RESPONSES_MAX_STORED']
    ? envInt(env, 'API_SERVER_RESPONSES_MAX_STORED', 1000)
    : file.max_stored_responses;
  if (maxStored !== undefined) input.maxStoredResponses = maxStored;
  const maxAgeDays = nonEmpty(env['API_SERVER_RESPONSES_MAX_AGE_DAYS'])
    ? Number(env['API_SERVER_RESPONSES_MAX_AGE_DAYS'])
    : file.stored_responses_max_age_days;
  if (maxAgeDays !== undefined) {
    if (!Number.isFinite(maxAgeDays) || maxAgeDays <= 0)
      throw new AdapterError(
        'config_invalid',
        `API_SERVER_RESPONSES_MAX_AGE_DAYS (platforms.api_server.stored_responses_max_age_days) must be a positive number of days, got "${env['API_SERVER_RESPONSES_MAX_AGE_DAYS'] ?? maxAgeDays}"`,
        { platform: API_SERVER_PLATFORM, fix: 'Set it to e.g. 30, or remove it for the default (30 days).' },
      );
    input.storedResponseMaxAgeMs = Math.round(maxAgeDays * 86_400_000);
  }
  return parseApiServerConfig(input);
}
