/** Platform name used in ChatRef, errors and logs. */
export const WECOM_PLATFORM = 'wecom';

export const WECOM_DEFAULT_WS_URL = 'wss://openws.work.weixin.qq.com';

/** Whole subscribe handshake (open + subscribe + ack). */
export const WECOM_CONNECT_TIMEOUT_MS = 20_000;
/** Each request correlated by `headers.req_id`. */
export const WECOM_REQUEST_TIMEOUT_MS = 15_000;
export const WECOM_HEARTBEAT_INTERVAL_MS = 30_000;
/** Reconnect delays; the last one repeats. Reset after a successful subscribe. */
export const WECOM_RECONNECT_DELAYS_MS: readonly number[] = [2_000, 5_000, 10_000, 30_000, 60_000];

export const WECOM_MAX_MESSAGE_LENGTH = 4000;

export const WECOM_DEDUP_MAX_ENTRIES = 1000;
export const WECOM_DEDUP_TTL_MS = 300_000;

export const WECOM_TEXT_BATCH_DELAY_MS = 600;
export const WECOM_TEXT_BATCH_SPLIT_DELAY_MS = 2_000;
/** WeCom clients split pastes near this length; a piece this long probably has a sequel. */
export const WECOM_TEXT_BATCH_SPLIT_THRESHOLD = 3900;

/** Reply-token cache: size bound for tokens nobody waits on, and the age bound for all. */
export const WECOM_REPLY_CACHE_MAX_ENTRIES = 1000;
export const WECOM_REPLY_CACHE_MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Hard cap on tokens still awaiting a reply: only reached if the host never answers a flood. */
export const WECOM_REPLY_CACHE_MAX_PENDING = 100_000;

const MB = 1024 * 1024;
export const WECOM_UPLOAD_CHUNK_BYTES = 512 * 1024;
export const WECOM_MAX_UPLOAD_CHUNKS = 100;
export const WECOM_IMAGE_MAX_BYTES = 10 * MB;
export const WECOM_VIDEO_MAX_BYTES = 10 * MB;
export const WECOM_VOICE_MAX_BYTES = 2 * MB;
/** Absolute limit for anything uploaded or downloaded. */
export const WECOM_FILE_MAX_BYTES = 20 * MB;
export const WECOM_VOICE_MIMES: ReadonlySet<string> = new Set(['audio/amr']);

/**
 * Pause before retrying after a frequency-limit errcode (45009, 45033). WeCom's answer carries no
 * retry time, so the chat's send queue waits this long instead of hammering the limit.
 */
export const WECOM_RATE_LIMIT_RETRY_AFTER_MS = 2_000;

export const WECOM_USER_AGENT = 'HermesAgent/1.0';

/** Commands of the AI-bot WebSocket protocol. */
export const WecomCmd = {
  subscribe: 'aibot_subscribe',
  ping: 'ping',
  pong: 'pong',
  msgCallback: 'aibot_msg_callback',
  legacyCallback: 'aibot_callback',
  eventCallback: 'aibot_event_callback',
  respond: 'aibot_respond_msg',
  send: 'aibot_send_msg',
  uploadInit: 'aibot_upload_media_init',
  uploadChunk: 'aibot_upload_media_chunk',
  uploadFinish: 'aibot_upload_media_finish',
} as const;
export type WecomCmdName = (typeof WecomCmd)[keyof typeof WecomCmd];

/** errcodes the adapter reacts to. */
export const WecomErrcode = {
  ok: 0,
  invalidSecret: 40013,
  noPermission: 600039,
  staleReqId: 846605,
  notSubscribed: 846609,
} as const;
