/** The platform id in ChatRef.platform and `platforms.dingtalk` of config.yaml. */
export const DINGTALK_PLATFORM = 'dingtalk';

/** Where every DingTalk HTTP call goes unless DINGTALK_API_BASE says otherwise. */
export const DINGTALK_DEFAULT_API_BASE = 'https://api.dingtalk.com';

/** The older API host, still the only one with media upload; replaced by DINGTALK_API_BASE when that is set. */
export const DINGTALK_DEFAULT_OAPI_BASE = 'https://oapi.dingtalk.com';

/** DingTalk's upload cap for robot media (images, files, voice). */
export const DINGTALK_MEDIA_MAX_BYTES = 20 * 1024 * 1024;

/** The Stream Mode topic DingTalk pushes robot messages on (`ChatbotMessage.TOPIC`). */
export const DINGTALK_ROBOT_TOPIC = '/v1.0/im/bot/messages/get';

/** DingTalk refuses a markdown message longer than this (characters). */
export const DINGTALK_MAX_MESSAGE_LENGTH = 20_000;

/** The Python gateway's reconnect schedule. */
export const DINGTALK_RECONNECT_DELAYS_MS = [2_000, 5_000, 10_000, 30_000, 60_000] as const;

/** A session webhook is not used in its last five minutes: a reply may take that long to be written. */
export const DINGTALK_WEBHOOK_SAFETY_MARGIN_MS = 5 * 60_000;

/** Session webhooks kept (one per chat), as in the Python gateway. */
export const DINGTALK_WEBHOOK_CACHE_SIZE = 500;

/** msgId dedupe window, as in the Python gateway. */
export const DINGTALK_DEDUP_MAX_ENTRIES = 1_000;
export const DINGTALK_DEDUP_TTL_MS = 300_000;

/** WebSocket ping interval: DingTalk's SDK pings every 8 s; a little slower is enough to find a dead socket. */
export const DINGTALK_HEARTBEAT_INTERVAL_MS = 20_000;
export const DINGTALK_CONNECT_TIMEOUT_MS = 15_000;
export const DINGTALK_REQUEST_TIMEOUT_MS = 15_000;

/** Robot messages per minute DingTalk allows in one chat before it answers "send too fast". */
export const DINGTALK_CHAT_MESSAGES_PER_MINUTE = 20;

/** How long to hold a chat when DingTalk throttles without saying for how long. */
export const DINGTALK_DEFAULT_THROTTLE_MS = 3_000;

/** The markdown title DingTalk shows in notifications and the chat list. */
export const DINGTALK_MESSAGE_TITLE = 'Hermes';

/** The session webhook's errcode for "send too fast" (20 messages a minute per chat). */
export const DINGTALK_ERRCODE_SEND_TOO_FAST = 130_101;

/** Open conversation ids (groups) start with this; staff ids (DMs) never do. */
export const DINGTALK_CONVERSATION_PREFIX = 'cid';

/** Text emotions the Python gateway shows while it works and when it is done. */
export const DINGTALK_EMOTION_THINKING = '🤔Thinking';
export const DINGTALK_EMOTION_DONE = '🥳Done';
