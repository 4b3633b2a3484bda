import { Client, GatewayIntentBits, Options, Partials, type RateLimitData } from 'discord.js';
import { Agent } from 'undici';
import type { DiscordConfig } from '../config.js';
import { createRestTransport } from '../outbound/rest-transport.js';
import { DiscordGatewayStrategy, type GatewayHooks } from './sharding-strategy.js';

/**
 * Guilds: channels, roles and threads of each server. GuildMessages / DirectMessages: MESSAGE_CREATE in
 * servers and DMs. MessageContent (privileged, switch it on in the Developer Portal): without it server
 * messages arrive with empty text unless they mention the bot.
 */
export const DISCORD_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.MessageContent,
] as const;

export interface DiscordClientParts {
  client: Client;
  /** Owned here so stop() can close its keep-alive sockets. */
  agent: Agent;
  /** Set once discord.js has built the strategy (during login). */
  strategy(): DiscordGatewayStrategy | undefined;
}

/**
 * One discord.js client per start(): a destroyed client cannot log in again. REST retries are off
 * (`retries: 0`): discord.js would otherwise resend a message after a timeout or a 5xx, where Discord
 * may already have posted it. 429s are still waited out and retried by its queue, which is safe.
 */
export function createDiscordClient(
  config: DiscordConfig,
  hooks: GatewayHooks,
  onRateLimited: (info: RateLimitData) => void,
): DiscordClientParts {
  const agent = new Agent({ connect: { timeout: Math.min(config.restTimeoutMs, 10_000) } });
  let strategy: DiscordGatewayStrategy | undefined;
  const client = new Client({
    intents: [...DISCORD_INTENTS],
    // DM channels are not cached before their first message; without this partial, DMs are dropped silently.
    partials: [Partials.Channel],
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 25 }),
    waitGuildTimeout: config.waitGuildTimeoutMs,
    rest: {
      api: config.apiBase,
      retries: 0,
      timeout: config.restTimeoutMs,
      agent,
      makeRequest: createRestTransport(config.apiBase),
      globalRequestsPerSecond: config.globalRequestsPerSecond,
      rejectOnRateLimit: (info) => info.retryAfter > config.maxRateLimitWaitMs,
    },
    ws: {
      buildStrategy: (manager) => {
        strategy = new DiscordGatewayStrategy(manager, {
          backoff: config.reconnectBackoff,
          closeTimeoutMs: config.closeTimeoutMs,
          handshakeTimeoutMs: config.handshakeTimeoutMs,
          helloTimeoutMs: config.helloTimeoutMs,
          readyTimeoutMs: config.readyTimeoutMs,
          hooks,
        });
        return strategy;
      },
    },
  });
  client.rest.on('rateLimited', onRateLimited);
  return { client, agent, strategy: () => strategy };
}
