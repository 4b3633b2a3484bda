import { AdapterError, type EnvLike, envInt } from '@hermes/adapter-core';
import { z } from 'zod';

export const WEBHOOK_PLATFORM = 'webhook';

/** A route accepts unsigned requests only with this literal secret, and only on a loopback bind. */
export const INSECURE_NO_AUTH = 'INSECURE_NO_AUTH';

export const webhookSchemes = [
  'auto',
  'github',
  'gitlab',
  'standard-webhooks',
  'generic-v2',
  'bearer',
] as const;
export type WebhookScheme = (typeof webhookSchemes)[number];

// A platform name, then optionally a chat (and thread) that must not be empty.
const DELIVER_TARGET = /^(log|[A-Za-z][A-Za-z0-9_-]*(:\S*[^:\s])?)$/;

export const webhookRouteSchema = z
  .object({
    /** Overrides the global secret. `INSECURE_NO_AUTH` turns verification off (loopback only). */
    secret: z.string().min(1).optional(),
    /** `auto` picks the scheme from the headers present; naming one refuses every other. */
    scheme: z.enum(webhookSchemes).default('auto'),
    /** Event types to act on (X-GitHub-Event, X-Gitlab-Event or the payload's `type`); others get 200 and are ignored. */
    events: z.array(z.string().min(1)).optional(),
    /** Prompt template: `{dot.path}` placeholders into the payload, `{__raw__}` for the whole payload. */
    prompt: z.string().min(1).optional(),
    /** `log` (default) or `<platform>[:<chat>]`: where the host should deliver the agent's answer. */
    deliver: z
      .string()
      .min(1)
      .refine((d) => d !== 'github_comment', {
        message: 'deliver: github_comment is not supported by this adapter; use log or <platform>:<chat>',
      })
      .refine((d) => DELIVER_TARGET.test(d.trim()), {
        message: 'deliver must be log, <platform>, or <platform>:<chat>[:<thread>] (e.g. telegram:-100123)',
      })
      .default('log'),
    /** Passed to the host untouched, for the delivery. */
    deliverExtra: z.record(z.string(), z.unknown()).optional(),
    /** The turn's limits (`InboundMessage.turnLimits`): the only toolsets and skills the run may use. */
    skills: z.array(z.string()).optional(),
    toolsets: z.array(z.string()).optional(),
  })
  .strict();

export type WebhookRouteConfig = z.output<typeof webhookRouteSchema>;
export type WebhookRouteConfigInput = z.input<typeof webhookRouteSchema>;

const ROUTE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export const webhookConfigSchema = z
  .object({
    /**
     * Bind address. Loopback by default (the original binds every interface): exposing the server is a
     * decision the operator makes with WEBHOOK_HOST, behind which every route must be authenticated.
     */
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8644),
    /** The global secret (WEBHOOK_SECRET): used by every route that has none of its own. */
    secret: z.string().min(1).optional(),
    routes: z
      .record(z.string(), webhookRouteSchema)
      .superRefine((routes, ctx) => {
        for (const name of Object.keys(routes)) {
          if (!ROUTE_NAME.test(name)) {
            ctx.addIssue({
              code: 'custom',
              path: [name],
              message: 'route names are 1-64 letters, digits, _ or -',
            });
          }
        }
      })
      .default({}),
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .default(1024 * 1024),
    /**
     * Per route, counting only requests that passed the signature check, so unauthenticated junk cannot
     * use up a route's budget and block its real sender.
     */
    rateLimitPerMinute: z.number().int().min(1).default(30),
    /** Failed signature checks allowed per client address per minute; beyond that they are answered 429. */
    authFailuresPerMinute: z.number().int().min(1).default(30),
    /** How long a delivery id is remembered, to answer a redelivery without a second run. */
    idempotencyTtlMs: z.number().int().min(1000).default(3_600_000),
    idempotencyMaxEntries: z.number().int().min(1).default(10_000),
    /** Allowed clock difference for timestamped schemes (Standard Webhooks, generic v2). */
    timestampToleranceSeconds: z.number().int().min(1).default(300),
    /** `{__raw__}` is cut to this many characters; nested objects in placeholders to `nestedMaxChars`. */
    rawMaxChars: z.number().int().min(100).default(4000),
    nestedMaxChars: z.number().int().min(100).default(2000),
    bodyTimeoutMs: z.number().int().min(100).default(30_000),
  })
  .strict();

export type WebhookConfig = z.output<typeof webhookConfigSchema>;
export type WebhookConfigInput = z.input<typeof webhookConfigSchema>;

function describeZodError(error: z.ZodError, where: string): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.join('.');
      const at = key === '' ? where : `${where}.${key}`;
      if (issue.code === 'unrecognized_keys') return `${at}: unknown key(s) ${issue.keys.join(', ')}`;
      return `${at}: ${issue.message}`;
    })
    .join('; ');
}

function configError(message: string, fix: string): AdapterError {
  return new AdapterError('config_invalid', message, { platform: WEBHOOK_PLATFORM, retryable: false, fix });
}

/** Validates a config object, throwing an AdapterError that names the bad key. */
export function parseWebhookConfig(input: WebhookConfigInput): WebhookConfig {
  const parsed = webhookConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw configError(
      describeZodError(parsed.error, 'webhook'),
      'Correct the value (WEBHOOK_* env vars or platforms.webhook in config.yaml).',
    );
  }
  return parsed.data;
}

const fileRouteSchema = z
  .object({
    secret: z.string().optional(),
    scheme: z.string().optional(),
    events: z.array(z.string()).optional(),
    prompt: z.string().optional(),
    deliver: z.string().optional(),
    deliver_extra: z.record(z.string(), z.unknown()).optional(),
    skills: z.array(z.string()).optional(),
    toolsets: z.array(z.string()).optional(),
  })
  .strict();

/** `platforms.webhook` in config.yaml, snake_case; route keys of the original that are not built are refused by name. */
const fileSchema = z
  .object({
    enabled: z.boolean().optional(),
    host: z.string().optional(),
    port: z.number().int().optional(),
    secret: z.string().optional(),
    routes: z.record(z.string(), fileRouteSchema).optional(),
    max_body_bytes: z.number().int().optional(),
    rate_limit_per_minute: z.number().int().optional(),
    auth_failures_per_minute: z.number().int().optional(),
  })
  .strict();

function parseFileConfig(fileConfig: Record<string, unknown> | undefined): z.output<typeof fileSchema> {
  if (!fileConfig) return {};
  const { extra, ...top } = fileConfig;
  const merged = { ...(typeof extra === 'object' && extra !== null ? extra : {}), ...top };
  const parsed = fileSchema.safeParse(merged);
  if (!parsed.success) {
    throw configError(
      describeZodError(parsed.error, 'platforms.webhook'),
      'Remove or correct the key in config.yaml. Route keys this adapter knows: secret, scheme, events, prompt, ' +
        'deliver, deliver_extra, skills, toolsets (filters, script, deliver_only, cron_job and coalesce are not supported).',
    );
  }
  return parsed.data;
}

function routeFromFile(route: z.output<typeof fileRouteSchema>): WebhookRouteConfigInput {
  const { deliver_extra, scheme, ...rest } = route;
  const out: Record<string, unknown> = { ...rest };
  if (deliver_extra !== undefined) out['deliverExtra'] = deliver_extra;
  if (scheme !== undefined) out['scheme'] = scheme;
  return out as WebhookRouteConfigInput;
}

/**
 * Reads WEBHOOK_PORT, WEBHOOK_SECRET and WEBHOOK_HOST over `platforms.webhook` (routes under
 * `extra.routes` as in the original, or `routes`). Environment wins.
 */
export function webhookConfigFromEnv(env: EnvLike, fileConfig?: Record<string, unknown>): WebhookConfig {
  const file = parseFileConfig(fileConfig);
  const input: WebhookConfigInput = {};
  const host = env['WEBHOOK_HOST']?.trim() || file.host;
  if (host) input.host = host;
  const port = env['WEBHOOK_PORT'] ? envInt(env, 'WEBHOOK_PORT', 8644) : file.port;
  if (port !== undefined) input.port = port;
  const secret = env['WEBHOOK_SECRET']?.trim() || file.secret;
  if (secret) input.secret = secret;
  if (file.max_body_bytes !== undefined) input.maxBodyBytes = file.max_body_bytes;
  if (file.rate_limit_per_minute !== undefined) input.rateLimitPerMinute = file.rate_limit_per_minute;
  if (file.auth_failures_per_minute !== undefined)
    input.authFailuresPerMinute = file.auth_failures_per_minute;
  if (file.routes) {
    input.routes = Object.fromEntries(
      Object.entries(file.routes).map(([name, r]) => [name, routeFromFile(r)]),
    );
  }
  return parseWebhookConfig(input);
}
