/** The platform id in ChatRef.platform and `platforms.feishu` of config.yaml. */
export const FEISHU_PLATFORM = 'feishu';

/** Base URLs behind the `FEISHU_DOMAIN` names. */
export const FEISHU_DOMAINS = {
  feishu: 'https://open.feishu.cn',
  lark: 'https://open.larksuite.com',
} as const;

/**
 * Feishu does not document one length limit for text and post bodies (the request may be up to 150 KB);
 * the Python gateway chunks at a few thousand characters so replies stay readable. 4000 chars is its value.
 */
export const FEISHU_MAX_MESSAGE_LENGTH = 4000;

/** Image uploads are capped at 10 MB, file uploads at 30 MB (im/v1/images, im/v1/files). */
export const FEISHU_IMAGE_MAX_BYTES = 10 * 1024 * 1024;
export const FEISHU_FILE_MAX_BYTES = 30 * 1024 * 1024;

/** Text batching as in the Python adapter: 0.6 s, up to 8 messages or 4000 chars; a split paste waits longer. */
export const FEISHU_TEXT_BATCH_DELAY_MS = 600;
export const FEISHU_TEXT_BATCH_SPLIT_DELAY_MS = 2000;
export const FEISHU_TEXT_BATCH_MAX_ITEMS = 8;
export const FEISHU_TEXT_BATCH_SPLIT_THRESHOLD = 4000;

/** The persisted message_id window of the Python adapter: 2048 ids for 24 h. */
export const FEISHU_DEDUPE_MAX_ENTRIES = 2048;
export const FEISHU_DEDUPE_TTL_MS = 24 * 60 * 60 * 1000;

/** Card button presses are deduped for 15 min (the Python adapter's window). */
export const FEISHU_CARD_ACTION_DEDUPE_MS = 15 * 60 * 1000;

/** Webhook mode, as in the Python adapter. */
export const FEISHU_WEBHOOK_DEFAULTS = { host: '127.0.0.1', port: 8765, path: '/feishu/webhook' } as const;
export const FEISHU_WEBHOOK_MAX_BODY_BYTES = 1024 * 1024;
export const FEISHU_WEBHOOK_RATE_LIMIT = { requests: 120, perMs: 60_000 } as const;

/**
 * Feishu dedupes "send message" and "reply message" on the body's `uuid`: requests with the same uuid
 * send at most one message within 1 hour. The adapter promises the host less (`capabilities.idempotentSend`):
 * the host times its window from its own first try, but a repeat's parts reach Feishu later than the host
 * decides to repeat (the per-chat pacing of earlier parts, Retry-After pauses, retries with 15 s request
 * timeouts, a media upload of up to 30 MB before each media message), and Feishu does not say how exactly
 * it counts its hour. Ten minutes of margin covers all of that; past 50 minutes the host should treat a
 * send of unknown outcome as possibly delivered rather than repeat it.
 */
export const FEISHU_IDEMPOTENT_SEND_WINDOW_MS = 50 * 60 * 1000;

/** Feishu API codes the adapter reacts to. */
export const FEISHU_CODES = {
  /** Reply target withdrawn: fall back to a new message in the chat. */
  messageWithdrawn: 230011,
  /** Reply target not found / not visible: fall back too. */
  replyTargetGone: 231003,
  /** The post content could not be parsed: resend as plain text. */
  postContentInvalid: 230001,
  /** Frequency limit on the OpenAPI gateway. */
  rateLimited: 99991400,
  /** Tenant token invalid or expired: drop the cached token and retry once. */
  tokenInvalid: 99991663,
  tokenExpired: 99991668,
  /** App id or secret wrong on the token endpoint. */
  appSecretInvalid: 10014,
  appIdInvalid: 10003,
} as const;

/** The WS long connection's ping, when the endpoint does not say (Feishu's default is 120 s). */
export const FEISHU_DEFAULT_PING_INTERVAL_MS = 120_000;
