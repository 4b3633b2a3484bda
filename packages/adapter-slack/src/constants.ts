/** The platform name in ChatRef, logs and the gateway catalog. */
export const SLACK_PLATFORM = 'slack';

export const SLACK_DEFAULT_API_URL = 'https://slack.com/api/';

/**
 * chat.postMessage refuses text over 40,000 characters (`msg_too_long`). Slack's own guidance is to stay
 * under 4,000 for readability, and a 40k wall of text is unreadable in the client, so chunks default to
 * 4,000 and can be raised up to the hard cap.
 */
export const SLACK_HARD_MESSAGE_LIMIT = 40_000;
export const SLACK_DEFAULT_CHUNK_LENGTH = 4_000;
/** When Slack still says msg_too_long (a limit configured too close to the cap), a chunk is re-split to this. */
export const SLACK_RESPLIT_FLOOR = 1_000;

/**
 * Slack redelivers an unacknowledged event immediately, after about a minute and after about five
 * minutes. The dedupe window must outlive the last retry, hence ten minutes.
 */
export const SLACK_DEDUPE_TTL_MS = 10 * 60_000;
export const SLACK_DEDUPE_MAX_ENTRIES = 5_000;

/** Threads the bot remembers having spoken or been mentioned in (the Python gateway keeps 500). */
export const SLACK_PARTICIPATION_LIMIT = 500;

/** chat.postMessage: about one message per second per channel, short bursts allowed. */
export const SLACK_PER_CHANNEL_RATE = { capacity: 4, refillPerSecond: 1 } as const;
/** Workspace-wide budget of the bot across channels. */
export const SLACK_GLOBAL_RATE = { capacity: 40, refillPerSecond: 10 } as const;

export const SLACK_REQUEST_TIMEOUT_MS = 30_000;
export const SLACK_CONNECT_TIMEOUT_MS = 15_000;
export const SLACK_RECONNECT_INITIAL_MS = 1_000;
export const SLACK_RECONNECT_MAX_MS = 60_000;
/** @slack/socket-mode 3.1 pings Slack this often (fixed in the SDK); Slack answers every ping with a pong. */
export const SLACK_CLIENT_PING_INTERVAL_MS = 5_000;
/** The SDK drops the socket when no pong came back within this since the last one. */
export const SLACK_CLIENT_PING_TIMEOUT_MS = 5_000;
/** The SDK drops the socket when Slack stops pinging for this long (only armed after a first server ping). */
export const SLACK_SERVER_PING_TIMEOUT_MS = 30_000;

/** Inbound file download cap by default. Slack allows 1 GB uploads; an agent rarely needs more than this. */
export const SLACK_DEFAULT_MAX_MEDIA_BYTES = 50 * 1024 * 1024;

/** The one native slash command the Python gateway registers: `/hermes <cmd> [args]`. */
export const SLACK_DEFAULT_SLASH_COMMAND = '/hermes';
