/** The platform name in ChatRef.platform and the gateway catalog. */
export const DISCORD_PLATFORM = 'discord';

/** Discord's public REST base; discord.js appends `/v10`. */
export const DISCORD_DEFAULT_API_BASE = 'https://discord.com/api';

/** Message content limit, counted in Unicode code points. */
export const DISCORD_MAX_MESSAGE_LENGTH = 2000;

/** Upload cap of a server without boosts (10 MiB since 2024). Raise it for boosted servers. */
export const DISCORD_DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** Inbound attachments larger than this are refused by fetch() (Nitro users can send up to 500 MB). */
export const DISCORD_DEFAULT_MAX_DOWNLOAD_BYTES = 25 * 1024 * 1024;

/** Hosts that serve attachment URLs in real Discord payloads. */
export const DISCORD_CDN_HOSTS: readonly string[] = ['cdn.discordapp.com', 'media.discordapp.net'];

/** Thread auto-archive durations Discord accepts, in minutes. */
export const DISCORD_AUTO_ARCHIVE_MINUTES = [60, 1440, 4320, 10080] as const;

/** Thread names are capped at 100 characters by Discord. */
export const DISCORD_THREAD_NAME_MAX = 100;

/** How many threads the bot remembers having created or spoken in (Hermes' participation tracker keeps 500). */
export const DISCORD_BOT_THREADS_MAX = 500;

/**
 * How long after a keyed send the host may repeat it (`capabilities.idempotentSend.windowMs`). Discord
 * checks an enforced nonce against the author's messages of "the past few minutes" without a number; two
 * minutes is the low end of "few", so a repeat inside it is deduped even if the real window is shorter
 * than it reads. The host counts from its first try, which starts before Discord creates (and starts
 * remembering) the message, so its window closes before Discord's does.
 */
export const DISCORD_IDEMPOTENT_SEND_WINDOW_MS = 2 * 60_000;

/** Redelivery on RESUME happens within minutes; the window is generous. */
export const DISCORD_DEDUP_TTL_MS = 15 * 60_000;
export const DISCORD_DEDUP_MAX_ENTRIES = 5000;

/** Close codes after which reconnecting cannot help: the token, intents or shard setup is wrong. */
export const DISCORD_FATAL_CLOSE_CODES: ReadonlyMap<number, { reason: string; fix: string }> = new Map([
  [
    4004,
    {
      reason: 'authentication failed (close 4004)',
      fix: 'check DISCORD_BOT_TOKEN: copy it again from the Bot page of the Discord Developer Portal',
    },
  ],
  [4010, { reason: 'invalid shard (close 4010)', fix: 'run a single shard (no sharding options)' }],
  [4011, { reason: 'sharding required (close 4011)', fix: 'the bot is in too many servers for one shard' }],
  [4012, { reason: 'invalid API version (close 4012)', fix: 'upgrade @hermes/adapter-discord' }],
  [
    4013,
    { reason: 'invalid intents (close 4013)', fix: 'report this as a bug: the adapter sent bad intents' },
  ],
  [
    4014,
    {
      reason: 'disallowed intents (close 4014)',
      fix: 'enable "Message Content Intent" on the Bot page of the Discord Developer Portal',
    },
  ],
]);
