import { AdapterError, withTextBatchingResolved } from '@hermes/adapter-core';
import { z } from 'zod';
import {
  TELEGRAM_ALBUM_DELAY_MS,
  TELEGRAM_DEDUPE_MAX_ENTRIES,
  TELEGRAM_DEDUPE_TTL_MS,
  TELEGRAM_DEFAULT_API_ROOT,
  TELEGRAM_DOWNLOAD_MAX_BYTES,
  TELEGRAM_GLOBAL_LIMIT,
  TELEGRAM_MAX_RETRY_AFTER_MS,
  TELEGRAM_PER_CHAT_LIMIT,
  TELEGRAM_PLATFORM,
  TELEGRAM_POLL_LIMIT,
  TELEGRAM_POLL_TIMEOUT_SECONDS,
  TELEGRAM_REQUEST_TIMEOUT_MS,
  TELEGRAM_TEXT_BATCH_DELAY_MS,
  TELEGRAM_TEXT_BATCH_SPLIT_DELAY_MS,
  TELEGRAM_TEXT_BATCH_SPLIT_THRESHOLD,
  TELEGRAM_UPLOAD_TIMEOUT_MS,
  TELEGRAM_WEBHOOK_HOST,
  TELEGRAM_WEBHOOK_PORT,
} from './constants.js';

const TOKEN_REQUIRED = 'TELEGRAM_BOT_TOKEN (platforms.telegram.token) is required';
const ms = (fallback: number, min = 0) => z.number().int().min(min).default(fallback);
const rate = z.object({ capacity: z.number().min(1), refillPerSecond: z.number().positive() });

/** A bot command as setMyCommands takes it: 1-32 of a-z, 0-9, _ and a 1-256 character description. */
export const telegramCommandSchema = z.object({
  command: z
    .string()
    .transform((c) => c.replace(/^\//, '').toLowerCase())
    .pipe(z.string().regex(/^[a-z0-9_]{1,32}$/, 'must be 1-32 characters of a-z, 0-9 and _')),
  description: z.string().trim().min(1).max(256),
});
export type TelegramCommand = z.output<typeof telegramCommandSchema>;

const webhookSchema = z
  .object({
    /** Public HTTPS URL Telegram posts updates to (TELEGRAM_WEBHOOK_URL). */
    url: z.url(),
    /** Sent by Telegram in X-Telegram-Bot-Api-Secret-Token; 1-256 of A-Z, a-z, 0-9, _ and -. */
    secret: z
      .string({ error: 'TELEGRAM_WEBHOOK_SECRET is required in webhook mode' })
      .regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be 1-256 characters of A-Z, a-z, 0-9, _ and -'),
    /** Where the local server listens. Loopback unless set: a reverse proxy usually terminates TLS. */
    host: z.string().trim().min(1).default(TELEGRAM_WEBHOOK_HOST),
    port: z.number().int().min(0).max(65_535).default(TELEGRAM_WEBHOOK_PORT),
    /** Path the server answers on; defaults to the URL's path. */
    path: z.string().startsWith('/').optional(),
  })
  .refine(
    (w) => w.host === '127.0.0.1' || w.host === '::1' || w.host === 'localhost' || w.secret.length >= 16,
    'a webhook server bound beyond loopback needs a secret of at least 16 characters',
  );

export const telegramConfigSchema = z.object({
  token: z
    .string({ error: TOKEN_REQUIRED })
    .trim()
    .min(1, TOKEN_REQUIRED)
    .regex(/^\d+:[A-Za-z0-9_-]+$/, 'does not look like a bot token (digits, a colon, then letters)'),
  /** TELEGRAM_API_ROOT: a self-hosted Bot API server, or a loopback fake in tests. */
  apiRoot: z
    .string()
    .default(TELEGRAM_DEFAULT_API_ROOT)
    .refine((u) => /^https?:\/\/[^\s/]+/i.test(u), 'must be an http:// or https:// URL')
    .transform((u) => u.replace(/\/+$/, '')),
  /** Present → webhook mode; absent → long polling. */
  webhook: webhookSchema.optional(),
  /** Where the getUpdates offset and held updates are kept; default `<media cache parent>/telegram`. */
  stateDir: z.string().trim().min(1).optional(),
  pollTimeoutSeconds: z.number().int().min(0).max(50).default(TELEGRAM_POLL_TIMEOUT_SECONDS),
  pollLimit: z.number().int().min(1).max(100).default(TELEGRAM_POLL_LIMIT),
  requestTimeoutMs: ms(TELEGRAM_REQUEST_TIMEOUT_MS, 100),
  uploadTimeoutMs: ms(TELEGRAM_UPLOAD_TIMEOUT_MS, 100),
  reconnect: z
    .object({ initialMs: ms(1_000), maxMs: ms(60_000, 1) })
    .default({ initialMs: 1_000, maxMs: 60_000 }),
  /** TELEGRAM_REQUIRE_MENTION: in groups, only messages that address the bot get through. */
  requireMention: z.boolean().default(false),
  /** Regexes (case-insensitive) that count as addressing the bot, e.g. `^hermes[,:]`. */
  mentionPatterns: z
    .array(z.string())
    .default([])
    .superRefine((list, ctx) => {
      for (const p of list) {
        try {
          new RegExp(p, 'iu');
        } catch (error) {
          ctx.addIssue({
            code: 'custom',
            message: `mention pattern ${JSON.stringify(p)}: ${(error as Error).message}`,
          });
        }
      }
    }),
  /** TELEGRAM_GROUP_ALLOWED_USERS: ids or usernames allowed to talk to the bot in groups (empty: anyone). */
  groupAllowedUsers: z.array(z.string()).default([]),
  /** TELEGRAM_GROUP_ALLOWED_CHATS: group chat ids the bot answers in (empty: any group). */
  groupAllowedChats: z.array(z.string()).default([]),
  /** Host-side access settings, kept here so `platforms.telegram` round-trips. */
  allowedUsers: z.array(z.string()).default([]),
  allowAllUsers: z.boolean().default(false),
  homeChannel: z.string().trim().min(1).optional(),
  /** Registered with setMyCommands at start (the host can replace them later with setCommands()). */
  commands: z.array(telegramCommandSchema).max(100).default([]),
  /** TELEGRAM_REACTIONS: false hides react() and the reactions capability. */
  reactions: z.boolean().default(true),
  textBatching: z.boolean().default(true),
  textBatchDelayMs: ms(TELEGRAM_TEXT_BATCH_DELAY_MS),
  textBatchSplitDelayMs: ms(TELEGRAM_TEXT_BATCH_SPLIT_DELAY_MS),
  textBatchSplitThreshold: ms(TELEGRAM_TEXT_BATCH_SPLIT_THRESHOLD, 1),
  albumDelayMs: ms(TELEGRAM_ALBUM_DELAY_MS),
  /** HERMES_MEDIA_ALLOW_PRIVATE: downloads may reach private addresses (the API root's host always may). */
  mediaAllowPrivate: z.boolean().default(false),
  maxMediaBytes: z.number().int().min(1).default(TELEGRAM_DOWNLOAD_MAX_BYTES),
  pacing: z
    .object({
      perChat: rate.default({ ...TELEGRAM_PER_CHAT_LIMIT }),
      global: rate.default({ ...TELEGRAM_GLOBAL_LIMIT }),
      maxRetryAfterMs: ms(TELEGRAM_MAX_RETRY_AFTER_MS, 1),
      /** Tries per call while Telegram keeps answering 429 (other retryable errors get at most 4). */
      maxRateLimitedAttempts: z.number().int().min(1).default(12),
    })
    .default({
      perChat: { ...TELEGRAM_PER_CHAT_LIMIT },
      global: { ...TELEGRAM_GLOBAL_LIMIT },
      maxRetryAfterMs: TELEGRAM_MAX_RETRY_AFTER_MS,
      maxRateLimitedAttempts: 12,
    }),
  dedupe: z
    .object({ maxEntries: ms(TELEGRAM_DEDUPE_MAX_ENTRIES, 1), ttlMs: ms(TELEGRAM_DEDUPE_TTL_MS, 1) })
    .default({ maxEntries: TELEGRAM_DEDUPE_MAX_ENTRIES, ttlMs: TELEGRAM_DEDUPE_TTL_MS }),
});

/** The validated config, every default filled in. */
export type TelegramConfig = z.output<typeof telegramConfigSchema>;
/** What a caller writes: only `token` is required. */
export type TelegramConfigInput = z.input<typeof telegramConfigSchema>;

/** Validates a config object; problems come back as one `config_invalid` error naming each key. */
export function parseTelegramConfig(input: TelegramConfigInput | Record<string, unknown>): TelegramConfig {
  const result = telegramConfigSchema.safeParse(input);
  // HERMES_TELEGRAM_TEXT_BATCH_DELAY_SECONDS=0 means no batching at all, as in the Python gateway.
  if (result.success) return withTextBatchingResolved(result.data);
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  const tokenProblem = result.error.issues.some((i) => i.path[0] === 'token');
  throw new AdapterError('config_invalid', `Invalid Telegram config: ${problems.join('; ')}`, {
    platform: TELEGRAM_PLATFORM,
    retryable: false,
    fix: tokenProblem
      ? 'set TELEGRAM_BOT_TOKEN to the token @BotFather gave you (looks like 123456789:AA...)'
      : 'correct the keys named above under platforms.telegram in config.yaml or the matching TELEGRAM_* env vars',
  });
}
