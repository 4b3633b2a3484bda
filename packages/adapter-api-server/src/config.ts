import { AdapterError, type EnvLike, envInt, envList } from '@hermes/adapter-core';
import { z } from 'zod';

export const API_SERVER_PLATFORM = 'api_server';

/** The adapter's own config, in TypeScript names. `configFromEnv` maps the Hermes names onto it. */
export const apiServerConfigSchema = z
  .object({
    /** Bind address. Anything but loopback needs `key`. */
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 picks a free port (tests). */
    port: z.number().int().min(0).max(65535).default(8642),
    /** Bearer key clients must send. Optional on loopback only. */
    key: z.string().min(8, 'API_SERVER_KEY must be at least 8 characters').optional(),
    /** Browser origins allowed by CORS. Empty: no CORS headers at all. `*` allows any origin. */
    corsOrigins: z.array(z.string().min(1)).default([]),
    /** The one model id `/v1/models` lists and completions report. */
    modelName: z.string().min(1).default('hermes-agent'),
    /** Requests in flight at once; one more gets 429. */
    maxConcurrentRuns: z.number().int().min(1).default(10),
    /** Request body cap in bytes; a larger body gets 413. */
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .default(4 * 1024 * 1024),
    /** How long a request waits for the host's reply before a 504. */
    runTimeoutMs: z.number().int().min(1000).default(600_000),
    /** How long the client may take to send its request body. */
    bodyTimeoutMs: z.number().int().min(100).default(30_000),
    /** SSE comment sent while a stream is quiet, so proxies keep the connection open. */
    keepAliveIntervalMs: z.number().int().min(100).default(15_000),
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
    model_name: z.string().optional(),
    max_concurrent_runs: z.number().int().optional(),
    max_body_bytes: z.number().int().optional(),
    run_timeout_seconds: z.number().optional(),
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

const pick = <T>(...values: Array<T | undefined>): T | undefined => values.find((v) => v !== undefined);
const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/**
 * Reads API_SERVER_HOST, API_SERVER_PORT, API_SERVER_KEY, API_SERVER_CORS_ORIGINS and
 * API_SERVER_MODEL_NAME over `platforms.api_server` from config.yaml. Environment wins.
 */
export function apiServerConfigFromEnv(env: EnvLike, fileConfig?: Record<string, unknown>): ApiServerConfig {
  const file = parseFileConfig(fileConfig);
  const fileOrigins =
    typeof file.cors_origins === 'string' ? file.cors_origins.split(',') : file.cors_origins;
  const envOrigins = envList(env, 'API_SERVER_CORS_ORIGINS');
  const input: ApiServerConfigInput = {};
  const host = pick(nonEmpty(env['API_SERVER_HOST']), file.host);
  if (host !== undefined) input.host = host;
  const port = env['API_SERVER_PORT'] ? envInt(env, 'API_SERVER_PORT', 8642) : file.port;
  if (port !== undefined) input.port = port;
  const key = pick(nonEmpty(env['API_SERVER_KEY']), file.key, file.api_key);
  if (key !== undefined) input.key = key;
  const origins = envOrigins.length > 0 ? envOrigins : fileOrigins?.map((o) => o.trim()).filter(Boolean);
  if (origins !== undefined) input.corsOrigins = origins;
  const model = pick(nonEmpty(env['API_SERVER_MODEL_NAME']), file.model_name);
  if (model !== undefined) input.modelName = model;
  if (file.max_concurrent_runs !== undefined) input.maxConcurrentRuns = file.max_concurrent_runs;
  if (file.max_body_bytes !== undefined) input.maxBodyBytes = file.max_body_bytes;
  if (file.run_timeout_seconds !== undefined)
    input.runTimeoutMs = Math.round(file.run_timeout_seconds * 1000);
  return parseApiServerConfig(input);
}
