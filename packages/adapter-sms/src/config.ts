import {
  type EnvLike,
  envFlag,
  envList,
  MEDIA_ALLOW_PRIVATE_ENV,
  mediaAllowPrivateFromEnv,
  parseAdapterConfig,
} from '@hermes/adapter-core';
import { z } from 'zod';
import { normalizeSmsNumber } from './phone.js';

/** The env var names, spelled as the Python Hermes gateway spells them, so an operator renames nothing. */
export const SMS_ENV = {
  accountSid: 'TWILIO_ACCOUNT_SID',
  authToken: 'TWILIO_AUTH_TOKEN',
  phoneNumber: 'TWILIO_PHONE_NUMBER',
  webhookUrl: 'SMS_WEBHOOK_URL',
  webhookPort: 'SMS_WEBHOOK_PORT',
  webhookHost: 'SMS_WEBHOOK_HOST',
  trustProxy: 'SMS_TRUST_PROXY',
  allowedUsers: 'SMS_ALLOWED_USERS',
  allowAllUsers: 'SMS_ALLOW_ALL_USERS',
  homeChannel: 'SMS_HOME_CHANNEL',
  /** Not in the Python original: points the REST client at a regional edge or at the loopback fake. */
  apiBase: 'TWILIO_API_BASE',
} as const;

/** Where Twilio posts inbound messages; status callbacks and served media live below it. */
export const SMS_WEBHOOK_PATH = '/webhooks/twilio';

const e164 = z.string().transform((value, ctx) => {
  const normalized = normalizeSmsNumber(value);
  if (!normalized.startsWith('+')) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a phone number in E.164 form (+ country code and number, e.g. +15551234567)`,
    });
    return z.NEVER;
  }
  return normalized;
});

export const smsConfigSchema = z.object({
  /** Twilio Account SID (AC…): the REST user name. */
  accountSid: z
    .string({ error: `is missing: set ${SMS_ENV.accountSid}` })
    .trim()
    .regex(/^AC[0-9a-fA-F]{32}$/, `must be "AC" and 32 hex digits (the Account SID in the Twilio console)`),
  /** Twilio Auth Token: REST password and the key every webhook is signed with. Secret: never logged. */
  authToken: z
    .string({ error: `is missing: set ${SMS_ENV.authToken}` })
    .trim()
    .min(1, `is empty: set ${SMS_ENV.authToken}`),
  /** The Twilio number replies come from, E.164; messages from it are our own echoes. */
  phoneNumber: e164,
  /**
   * The public URL Twilio posts to (the number's "A message comes in" webhook). Signatures are computed
   * over it, outbound MMS media and status callbacks hang below it.
   */
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  webhookHost: z.string().trim().min(1).default('127.0.0.1'),
  webhookPort: z.number().int().min(0).max(65_535).default(8080),
  /** Read X-Forwarded-Proto / X-Forwarded-Host (only behind a proxy you run, and only without webhookUrl). */
  trustProxy: z.boolean().default(false),
  /** REST origin; Twilio's own unless pointed at an edge or at a fake. */
  apiBase: z.url({ protocol: /^https?$/ }).default('https://api.twilio.com'),
  allowedUsers: z.array(z.string().min(1)).default([]),
  allowAllUsers: z.boolean().default(false),
  homeChannel: e164.optional(),
  /** Webhook bodies larger than this are refused with 413 (Twilio's are a few KB). */
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  /** A webhook body that has not fully arrived after this long gets 408. */
  bodyTimeoutMs: z.number().int().positive().default(10_000),
  /** MessageSids remembered to drop Twilio's retries of a webhook already handled. */
  dedupeTtlMs: z
    .number()
    .int()
    .positive()
    .default(24 * 60 * 60 * 1000),
  dedupeMaxEntries: z.number().int().positive().default(50_000),
  /** Inbound MMS media larger than this is refused while streaming. */
  maxMediaBytes: z
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  /** Outbound files above this are not offered to Twilio (MMS carries at most 5 MB). */
  maxOutboundMediaBytes: z
    .number()
    .int()
    .positive()
    .default(5 * 1024 * 1024),
  /** How long a served outbound media URL stays fetchable. */
  outboundMediaTtlMs: z
    .number()
    .int()
    .positive()
    .default(60 * 60 * 1000),
  /** Lets media URLs reach private and loopback addresses (tests, self-hosted proxies); HERMES_MEDIA_ALLOW_PRIVATE. */
  allowPrivateMedia: z.boolean().default(false),
});

/** The config after defaults are applied. */
export type SmsConfig = z.output<typeof smsConfigSchema>;
/** What a caller may pass: every field with a default is optional. */
export type SmsConfigInput = z.input<typeof smsConfigSchema>;

const ENV_OF: Record<string, string> = {
  accountSid: SMS_ENV.accountSid,
  authToken: SMS_ENV.authToken,
  phoneNumber: SMS_ENV.phoneNumber,
  webhookUrl: SMS_ENV.webhookUrl,
  webhookPort: SMS_ENV.webhookPort,
  webhookHost: SMS_ENV.webhookHost,
  homeChannel: SMS_ENV.homeChannel,
  apiBase: SMS_ENV.apiBase,
};

/** Validates a config; the error names every bad key, its env var, and what to set. */
export function parseSmsConfig(input: unknown): SmsConfig {
  return parseAdapterConfig(smsConfigSchema, input, {
    platform: 'sms',
    label: 'SMS',
    fix: 'Correct platforms.sms in config.yaml.',
    envOf: ENV_OF,
  });
}

function portFromEnv(raw: string): number | string {
  const n = Number(raw.trim());
  // A non-number is passed on as is so the schema names SMS_WEBHOOK_PORT in its error.
  return Number.isFinite(n) ? n : raw;
}

/**
 * Reads the Hermes env var names over `platforms.sms` from config.yaml: env wins, as in the Python
 * gateway. Only variables that are set override the file.
 */
export function configFromEnv(env: EnvLike, fileConfig: Record<string, unknown> = {}): SmsConfig {
  const fromEnv: Record<string, unknown> = {};
  const text = (name: string, key: string) => {
    const value = env[name]?.trim();
    if (value) fromEnv[key] = value;
  };
  text(SMS_ENV.accountSid, 'accountSid');
  text(SMS_ENV.authToken, 'authToken');
  text(SMS_ENV.phoneNumber, 'phoneNumber');
  text(SMS_ENV.webhookUrl, 'webhookUrl');
  text(SMS_ENV.webhookHost, 'webhookHost');
  text(SMS_ENV.homeChannel, 'homeChannel');
  text(SMS_ENV.apiBase, 'apiBase');
  const port = env[SMS_ENV.webhookPort]?.trim();
  if (port) fromEnv['webhookPort'] = portFromEnv(port);
  if (env[SMS_ENV.trustProxy] !== undefined) fromEnv['trustProxy'] = envFlag(env, SMS_ENV.trustProxy);
  if (env[SMS_ENV.allowedUsers] !== undefined) fromEnv['allowedUsers'] = envList(env, SMS_ENV.allowedUsers);
  if (env[SMS_ENV.allowAllUsers] !== undefined)
    fromEnv['allowAllUsers'] = envFlag(env, SMS_ENV.allowAllUsers);
  if (env[MEDIA_ALLOW_PRIVATE_ENV] !== undefined)
    fromEnv['allowPrivateMedia'] = mediaAllowPrivateFromEnv(env);
  return parseSmsConfig({ ...fileConfig, ...fromEnv });
}
