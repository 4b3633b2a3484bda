/** Platform name used in ChatRef, errors and logs. */
export const TELEGRAM_PLATFORM = 'telegram';

export const TELEGRAM_DEFAULT_API_ROOT = 'https://api.telegram.org';

/** Telegram counts message length in UTF-16 code units after entities are parsed. */
export const TELEGRAM_MAX_MESSAGE_LENGTH = 4096;
/** Captions of photos, documents, voice notes and videos. */
export const TELEGRAM_MAX_CAPTION_LENGTH = 1024;
/** Telegram clients split a long paste near this length, so a piece this long probably has a sequel. */
export const TELEGRAM_TEXT_BATCH_SPLIT_THRESHOLD = 4000;
export const TELEGRAM_TEXT_BATCH_DELAY_MS = 600;
export const TELEGRAM_TEXT_BATCH_SPLIT_DELAY_MS = 2_000;
/** Album items arrive as separate updates a few milliseconds apart; this is the quiet time that ends one. */
export const TELEGRAM_ALBUM_DELAY_MS = 800;

const MB = 1024 * 1024;
/** getFile on the cloud Bot API serves files up to 20 MB. */
export const TELEGRAM_DOWNLOAD_MAX_BYTES = 20 * MB;
/** Multipart uploads through the cloud Bot API are capped at 50 MB. */
export const TELEGRAM_UPLOAD_MAX_BYTES = 50 * MB;

/** Long-poll wait passed to getUpdates, in seconds. */
export const TELEGRAM_POLL_TIMEOUT_SECONDS = 30;
export const TELEGRAM_POLL_LIMIT = 100;
/** Bound on one Bot API call other than getUpdates and uploads. */
export const TELEGRAM_REQUEST_TIMEOUT_MS = 30_000;
export const TELEGRAM_UPLOAD_TIMEOUT_MS = 120_000;

export const TELEGRAM_WEBHOOK_PORT = 8443;
export const TELEGRAM_WEBHOOK_HOST = '127.0.0.1';
/** The header Telegram sets on webhook calls when setWebhook was given a secret_token. */
export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';
/** Updates are small JSON documents; anything bigger is not from Telegram. */
export const TELEGRAM_WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;

/** Telegram's documented flood limits: about one message per second per chat and 30 per second per bot. */
export const TELEGRAM_PER_CHAT_LIMIT = { capacity: 3, refillPerSecond: 1 } as const;
export const TELEGRAM_GLOBAL_LIMIT = { capacity: 30, refillPerSecond: 30 } as const;
/** A flood wait longer than this is handed back to the caller instead of being waited out. */
export const TELEGRAM_MAX_RETRY_AFTER_MS = 60_000;

export const TELEGRAM_DEDUPE_MAX_ENTRIES = 5_000;
export const TELEGRAM_DEDUPE_TTL_MS = 60 * 60 * 1000;

/** Updates the adapter asks for; everything else Telegram keeps to itself. */
export const TELEGRAM_ALLOWED_UPDATES = ['message', 'callback_query'] as const;

/** Telegram caps a button's callback_data at 64 bytes. */
export const TELEGRAM_CALLBACK_DATA_MAX_BYTES = 64;
/** Buttons of one inline keyboard row; longer lists wrap onto more rows. */
export const TELEGRAM_BUTTONS_PER_ROW = 2;
/**
 * Telegram's documented limits: about one message per second in a chat, and at most 20 messages per
 * minute in a group. The host's budget is per chat and does not know the chat type, so the stricter
 * group figure is the honest one: a DM budget would get a busy group throttled with 429s.
 */
export const TELEGRAM_CHAT_RATE_LIMIT = { messages: 20, perMs: 60_000 } as const;
/**
 * A long poll answers within its timeout; this much on top covers the round trip and a slow answer
 * (half the timeout, at least a second) before a poll counts as a missed heartbeat.
 */
export function telegramPollHeartbeatMs(pollTimeoutSeconds: number): number {
  return pollTimeoutSeconds * 1000 + Math.max(1_000, pollTimeoutSeconds * 500);
}
