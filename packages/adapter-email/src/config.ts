import { AdapterError, type EnvLike, envFlag, envList } from '@hermes/adapter-core';
import { z } from 'zod';

/** The env var names, spelled the way the Python Hermes gateway spells them. */
export const EMAIL_ENV = {
  address: 'EMAIL_ADDRESS',
  password: 'EMAIL_PASSWORD',
  imapHost: 'EMAIL_IMAP_HOST',
  imapPort: 'EMAIL_IMAP_PORT',
  imapSecurity: 'EMAIL_IMAP_SECURITY',
  smtpHost: 'EMAIL_SMTP_HOST',
  smtpPort: 'EMAIL_SMTP_PORT',
  smtpSecurity: 'EMAIL_SMTP_SECURITY',
  pollInterval: 'EMAIL_POLL_INTERVAL',
  allowedUsers: 'EMAIL_ALLOWED_USERS',
  allowAllUsers: 'EMAIL_ALLOW_ALL_USERS',
  homeAddress: 'EMAIL_HOME_ADDRESS',
} as const;

/**
 * `tls`: TLS from the first byte (IMAPS 993, SMTPS 465). `starttls`: plain connect, then an upgrade that is
 * required (the connection fails if the server does not offer it). `none`: no TLS at all, only when set.
 */
export type EmailSecurity = 'tls' | 'starttls' | 'none';
const securitySchema = z.enum(['tls', 'starttls', 'none'], {
  error: 'must be tls, starttls or none',
});

/** 993 and 465 speak TLS from the start; every other port (143, 587, 25, custom) upgrades with STARTTLS. */
export function defaultSecurityForPort(port: number): EmailSecurity {
  return port === 993 || port === 465 ? 'tls' : 'starttls';
}

const port = z.number().int().min(1).max(65_535);

export const emailConfigSchema = z.object({
  /** The bot's mailbox; also the IMAP and SMTP login. */
  address: z.email({ error: `must be an email address: set ${EMAIL_ENV.address}` }),
  /** Secret: never logged. */
  password: z
    .string({ error: `is missing: set ${EMAIL_ENV.password}` })
    .min(1, `is empty: set ${EMAIL_ENV.password}`),
  imapHost: z
    .string({ error: `is missing: set ${EMAIL_ENV.imapHost}` })
    .trim()
    .min(1, `is empty: set ${EMAIL_ENV.imapHost}`),
  imapPort: port.default(993),
  /** Default by port: see defaultSecurityForPort. */
  imapSecurity: securitySchema.optional(),
  smtpHost: z
    .string({ error: `is missing: set ${EMAIL_ENV.smtpHost}` })
    .trim()
    .min(1, `is empty: set ${EMAIL_ENV.smtpHost}`),
  smtpPort: port.default(587),
  smtpSecurity: securitySchema.optional(),
  /** How often the mailbox is checked when the server has no IDLE (and as a safety net when it has). */
  pollIntervalMs: z.number().int().min(100).default(15_000),
  mailbox: z.string().min(1).default('INBOX'),
  /** Read by the host's access control (the adapter itself delivers every message it receives). */
  allowedUsers: z.array(z.string().min(1)).default([]),
  allowAllUsers: z.boolean().default(false),
  /** Default destination for cron output and cross-platform messages: an email address. */
  homeChannel: z.string().min(1).optional(),
  /** Subject of a mail that starts a conversation (cron output, a first proactive message). */
  defaultSubject: z.string().min(1).default('Message from Hermes'),
  /** Where the last UID and UIDVALIDITY are kept; default `<media cache parent>/email`. */
  stateDir: z.string().trim().min(1).optional(),
  /** An attachment larger than this is not handed to the host. */
  maxMediaBytes: z
    .number()
    .int()
    .positive()
    .default(20 * 1024 * 1024),
  /** A mail larger than this is not downloaded: the host gets its headers and a note. */
  maxMessageBytes: z
    .number()
    .int()
    .positive()
    .default(30 * 1024 * 1024),
  /** Upper bound for one IMAP or SMTP exchange. */
  timeoutMs: z.number().int().positive().default(30_000),
});

/** The config after defaults are applied. */
export type EmailConfig = z.output<typeof emailConfigSchema>;
/** What a caller may pass: every field with a default is optional. */
export type EmailConfigInput = z.input<typeof emailConfigSchema>;

/** Validates a config; the error names every bad key and what to set. */
export function parseEmailConfig(input: unknown): EmailConfig {
  const result = emailConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.join('.') || '(config)'} ${issue.message}`)
    .join('; ');
  throw new AdapterError('config_invalid', `Email config is invalid: ${problems}`, {
    platform: 'email',
    fix: `Set ${EMAIL_ENV.address}, ${EMAIL_ENV.password}, ${EMAIL_ENV.imapHost} and ${EMAIL_ENV.smtpHost} in ~/.hermes/.env (or platforms.email in config.yaml).`,
  });
}

/** The security the adapter uses for a server: the configured one, or the port's default. */
export function resolvedSecurity(config: EmailConfig, server: 'imap' | 'smtp'): EmailSecurity {
  return server === 'imap'
    ? (config.imapSecurity ?? defaultSecurityForPort(config.imapPort))
    : (config.smtpSecurity ?? defaultSecurityForPort(config.smtpPort));
}

function numberFromEnv(env: EnvLike, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    throw new AdapterError('config_invalid', `${name} must be a number, got "${raw}"`, {
      platform: 'email',
      fix: `Set ${name} to a number or remove it.`,
    });
  }
  return value;
}

/**
 * Reads the Hermes env var names over `platforms.email` from config.yaml: env wins, as in the Python
 * gateway. Only variables that are set override the file. EMAIL_POLL_INTERVAL is in seconds.
 */
export function configFromEnv(env: EnvLike, fileConfig: Record<string, unknown> = {}): EmailConfig {
  const fromEnv: Record<string, unknown> = {};
  const text = (name: string, key: string, lower = false) => {
    const value = env[name]?.trim();
    if (value !== undefined && value !== '') fromEnv[key] = lower ? value.toLowerCase() : value;
  };
  text(EMAIL_ENV.address, 'address');
  const password = env[EMAIL_ENV.password];
  if (password !== undefined && password !== '') fromEnv['password'] = password;
  text(EMAIL_ENV.imapHost, 'imapHost');
  text(EMAIL_ENV.smtpHost, 'smtpHost');
  text(EMAIL_ENV.imapSecurity, 'imapSecurity', true);
  text(EMAIL_ENV.smtpSecurity, 'smtpSecurity', true);
  text(EMAIL_ENV.homeAddress, 'homeChannel');
  const imapPort = numberFromEnv(env, EMAIL_ENV.imapPort);
  if (imapPort !== undefined) fromEnv['imapPort'] = imapPort;
  const smtpPort = numberFromEnv(env, EMAIL_ENV.smtpPort);
  if (smtpPort !== undefined) fromEnv['smtpPort'] = smtpPort;
  const pollSeconds = numberFromEnv(env, EMAIL_ENV.pollInterval);
  if (pollSeconds !== undefined) fromEnv['pollIntervalMs'] = Math.round(pollSeconds * 1000);
  if (env[EMAIL_ENV.allowedUsers] !== undefined)
    fromEnv['allowedUsers'] = envList(env, EMAIL_ENV.allowedUsers);
  if (env[EMAIL_ENV.allowAllUsers] !== undefined)
    fromEnv['allowAllUsers'] = envFlag(env, EMAIL_ENV.allowAllUsers);
  return parseEmailConfig({ ...fileConfig, ...fromEnv });
}
