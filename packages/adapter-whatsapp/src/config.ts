import {
  configList,
  type EnvLike,
  envFlag,
  envList,
  envString,
  MEDIA_ALLOW_PRIVATE_ENV,
  parseAdapterConfig,
  pickConfigValue,
  platformFileConfig,
  withoutUndefined,
} from '@hermes/adapter-core';
import { z } from 'zod';

/**
 * The env var names, spelled the way the Python Hermes gateway's Cloud API adapter spells them, so an
 * operator can switch without renaming anything.
 */
export const WHATSAPP_ENV = {
  enabled: 'WHATSAPP_ENABLED',
  phoneNumberId: 'WHATSAPP_PHONE_NUMBER_ID',
  accessToken: 'WHATSAPP_ACCESS_TOKEN',
  appSecret: 'WHATSAPP_APP_SECRET',
  verifyToken: 'WHATSAPP_VERIFY_TOKEN',
  webhookHost: 'WHATSAPP_WEBHOOK_HOST',
  webhookPort: 'WHATSAPP_WEBHOOK_PORT',
  allowedUsers: 'WHATSAPP_ALLOWED_USERS',
  allowAllUsers: 'WHATSAPP_ALLOW_ALL_USERS',
  homeChannel: 'WHATSAPP_HOME_CHANNEL',
  /** Not in the Python original: points the adapter at another Graph version or at the loopback fake. */
  graphApiBase: 'WHATSAPP_GRAPH_API_BASE',
  templateName: 'WHATSAPP_TEMPLATE_NAME',
  templateLanguage: 'WHATSAPP_TEMPLATE_LANGUAGE',
  stateDir: 'WHATSAPP_STATE_DIR',
} as const;

export const DEFAULT_GRAPH_API_BASE = 'https://graph.facebook.com/v21.0';
export const DEFAULT_WEBHOOK_PATH = '/whatsapp/webhook';

const secret = (env: string) =>
  z
    .string({ error: `is missing: set ${env}` })
    .trim()
    .min(1, `is empty: set ${env}`);

export const whatsappConfigSchema = z.object({
  /** The business phone number's id (not the phone number itself): Graph paths are built from it. */
  phoneNumberId: z
    .string({ error: `is missing: set ${WHATSAPP_ENV.phoneNumberId}` })
    .trim()
    .regex(
      /^\d+$/,
      `must be the numeric phone number ID from WhatsApp Manager: set ${WHATSAPP_ENV.phoneNumberId}`,
    ),
  /** System-user or temporary access token. Secret: never logged. */
  accessToken: secret(WHATSAPP_ENV.accessToken),
  /** Signs every webhook (X-Hub-Signature-256). Secret. Required unless the server only listens on loopback. */
  appSecret: z.string().trim().min(1).optional(),
  /** Echoed back by Meta in the GET verification handshake. Secret. */
  verifyToken: secret(WHATSAPP_ENV.verifyToken),
  webhookHost: z.string().trim().min(1).default('127.0.0.1'),
  webhookPort: z.number().int().min(0).max(65_535).default(8090),
  webhookPath: z
    .string()
    .regex(/^\/[A-Za-z0-9\-._~/]*$/, 'must be an absolute path such as /whatsapp/webhook')
    .default(DEFAULT_WEBHOOK_PATH),
  graphApiBase: z.url().default(DEFAULT_GRAPH_API_BASE),
  /** Read by the host's access control (the adapter itself delivers every message it receives). */
  allowedUsers: z.array(z.string().min(1)).default([]),
  allowAllUsers: z.boolean().default(false),
  /** Default destination for cron output and cross-platform messages (a phone number). */
  homeChannel: z.string().min(1).optional(),
  /** Approved template sent instead of free text outside the 24-hour customer-service window. */
  templateName: z.string().trim().min(1).optional(),
  templateLanguage: z.string().trim().min(2).default('en_US'),
  /** The template has one body variable ({{1}}) that carries the message text. */
  templateTextParameter: z.boolean().default(true),
  /** Inbound reactions become messages ("[reacted 👍]") instead of being recorded and dropped. */
  deliverReactions: z.boolean().default(false),
  /** Webhook bodies larger than this are refused with 413 (Meta's batches are far smaller). */
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(3 * 1024 * 1024),
  /** Webhooks with a bad signature one client address may send per minute before it gets 429. */
  authFailuresPerMinute: z.number().int().positive().default(30),
  /** Inbound media larger than this is refused while streaming (documents may be 100 MB). */
  maxMediaBytes: z
    .number()
    .int()
    .positive()
    .default(100 * 1024 * 1024),
  /** Sends per second for the whole number: Meta's default throughput is 80 (upgraded numbers: 1,000). */
  messagesPerSecond: z.number().positive().default(80),
  /** Bound on each Graph API call. */
  requestTimeoutMs: z.number().int().positive().default(30_000),
  /** Lets media URLs reach private and loopback addresses (tests). Off by default; HERMES_MEDIA_ALLOW_PRIVATE. */
  allowPrivateMedia: z.boolean().default(false),
  /** Where the customer-window and dedupe state survive restarts. Default: next to the media cache. */
  stateDir: z.string().trim().min(1).optional(),
});

/** The config after defaults are applied. */
export type WhatsappConfig = z.output<typeof whatsappConfigSchema>;
/** What a caller may pass: every field with a default is optional. */
export type WhatsappConfigInput = z.input<typeof whatsappConfigSchema>;

const KEY_ENV: Record<string, string> = {
  phoneNumberId: WHATSAPP_ENV.phoneNumberId,
  accessToken: WHATSAPP_ENV.accessToken,
  appSecret: WHATSAPP_ENV.appSecret,
  verifyToken: WHATSAPP_ENV.verifyToken,
  webhookHost: WHATSAPP_ENV.webhookHost,
  webhookPort: WHATSAPP_ENV.webhookPort,
  graphApiBase: WHATSAPP_ENV.graphApiBase,
  templateName: WHATSAPP_ENV.templateName,
  templateLanguage: WHATSAPP_ENV.templateLanguage,
};

/** Validates a config; the error names every bad key and the variable that sets it. */
export function parseWhatsappConfig(input: unknown): WhatsappConfig {
  return parseAdapterConfig(whatsappConfigSchema, input, {
    platform: 'whatsapp',
    label: 'WhatsApp',
    fix: 'Correct platforms.whatsapp in config.yaml.',
    envOf: KEY_ENV,
  });
}

function portFrom(env: EnvLike, fallback: unknown): unknown {
  const raw = envString(env, WHATSAPP_ENV.webhookPort);
  if (raw === undefined) return fallback;
  const port = Number(raw);
  // Left as the string when it is not a number, so the schema names the variable in its error.
  return Number.isInteger(port) ? port : raw;
}

/**
 * Reads the Hermes env var names over `platforms.whatsapp` of config.yaml (its `extra` block included,
 * snake or camel case keys). Only variables that are set override the file.
 */
export function configFromEnv(env: EnvLike, fileConfig: Record<string, unknown> = {}): WhatsappConfig {
  const file = platformFileConfig(fileConfig);
  const pick = (name: string, ...keys: string[]) => envString(env, name) ?? pickConfigValue(file, ...keys);
  const flag = (name: string, ...keys: string[]) =>
    envString(env, name) !== undefined ? envFlag(env, name) : pickConfigValue(file, ...keys);
  const input = withoutUndefined({
    ...file,
    phoneNumberId: pick(WHATSAPP_ENV.phoneNumberId, 'phone_number_id', 'phoneNumberId'),
    accessToken: pick(WHATSAPP_ENV.accessToken, 'access_token', 'accessToken', 'token'),
    appSecret: pick(WHATSAPP_ENV.appSecret, 'app_secret', 'appSecret'),
    verifyToken: pick(WHATSAPP_ENV.verifyToken, 'verify_token', 'verifyToken'),
    webhookHost: pick(WHATSAPP_ENV.webhookHost, 'webhook_host', 'webhookHost'),
    webhookPort: portFrom(env, pickConfigValue(file, 'webhook_port', 'webhookPort')),
    webhookPath: pickConfigValue(file, 'webhook_path', 'webhookPath'),
    graphApiBase: pick(WHATSAPP_ENV.graphApiBase, 'graph_api_base', 'graphApiBase'),
    allowedUsers:
      envString(env, WHATSAPP_ENV.allowedUsers) !== undefined
        ? envList(env, WHATSAPP_ENV.allowedUsers)
        : configList(pickConfigValue(file, 'allowed_users', 'allowedUsers')),
    allowAllUsers: flag(WHATSAPP_ENV.allowAllUsers, 'allow_all_users', 'allowAllUsers'),
    homeChannel: pick(WHATSAPP_ENV.homeChannel, 'home_channel', 'homeChannel'),
    templateName: pick(WHATSAPP_ENV.templateName, 'template_name', 'templateName'),
    templateLanguage: pick(WHATSAPP_ENV.templateLanguage, 'template_language', 'templateLanguage'),
    stateDir: pick(WHATSAPP_ENV.stateDir, 'state_dir', 'stateDir'),
    allowPrivateMedia: flag(MEDIA_ALLOW_PRIVATE_ENV, 'media_allow_private', 'allowPrivateMedia'),
  });
  // Snake-case spellings and the gateway's own keys (`enabled`, `extra`) are dropped by the schema.
  return parseWhatsappConfig(input);
}
