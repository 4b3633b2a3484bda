import { once } from 'node:events';
import {
  type AdapterContext,
  AdapterError,
  type AdapterLiveness,
  type AdapterStatus,
  alreadyStartedError,
  type Capabilities,
  type ChatRef,
  createRedactingLogger,
  LivenessTracker,
  type Logger,
  notConnectedError,
  notConnectedResult,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  type SendResult,
} from '@hermes/adapter-core';
import { type Client, Events, type Interaction, type Message } from 'discord.js';
import type { Agent } from 'undici';
import { type DiscordConfig, type DiscordConfigInput, parseDiscordConfig } from './config.js';
import {
  DISCORD_CDN_HOSTS,
  DISCORD_IDEMPOTENT_SEND_WINDOW_MS,
  DISCORD_MAX_MESSAGE_LENGTH,
  DISCORD_PLATFORM,
} from './constants.js';
import { toDiscordError } from './errors.js';
import { createDiscordClient } from './gateway/create-client.js';
import { createGatewayReporter } from './gateway/gateway-reporter.js';
import { DiscordActionIntake } from './inbound/actions.js';
import { DiscordBotThreads } from './inbound/bot-threads.js';
import { DiscordIntake } from './inbound/intake.js';
import { DiscordMessageLocations } from './inbound/message-locations.js';
import { DiscordSender } from './outbound/sender.js';
import { probeDiscord } from './probe.js';

export function discordCapabilities(config: Pick<DiscordConfig, 'maxUploadBytes'>): Capabilities {
  return {
    maxMessageLength: DISCORD_MAX_MESSAGE_LENGTH,
    lengthUnit: 'char',
    // Discord renders Markdown itself: the agent's Markdown goes through unchanged, split at 2000.
    markdown: 'markdown',
    edit: true,
    delete: true,
    typing: true,
    reactions: true,
    threads: true,
    media: {
      // Voice is uploaded as an audio file, not as a Discord voice-message bubble.
      send: ['image', 'audio', 'voice', 'video', 'file'],
      receive: ['image', 'audio', 'voice', 'video', 'file'],
      maxUploadBytes: config.maxUploadBytes,
    },
    buttons: true,
    // No native streaming API: the host streams by edit(). Discord allows 5 messages per 5 s per channel
    // (its documented per-channel send limit; edits share the route's bucket), so the host budgets to that.
    chatRateLimit: { messages: 5, perMs: 5_000 },
    // OutboundMessage.idempotencyKey becomes each created message's nonce with enforce_nonce (see
    // keyedMessageNonce), so Discord answers a repeat with the messages of the first try.
    idempotentSend: { windowMs: DISCORD_IDEMPOTENT_SEND_WINDOW_MS },
  };
}

interface Running {
  client: Client;
  agent: Agent;
  ctx: AdapterContext;
  logger: Logger;
  sender: DiscordSender;
  intake: DiscordIntake;
  actions: DiscordActionIntake;
  controller: AbortController;
}

/** What the adapter has done, for tests and `hermes status`. */
export interface DiscordAdapterStats {
  status: AdapterStatus;
  botId?: string;
  reconnectAttempts: number;
  rateLimited: number;
}

/**
 * Discord through discord.js 14: the gateway (with resume, backoff and zombie handling added around
 * @discordjs/ws), REST on discord.js's rate-limit queue, DMs, server channels and threads.
 */
export class DiscordAdapter implements PlatformAdapter {
  readonly platform = DISCORD_PLATFORM;
  readonly capabilities: Capabilities;
  readonly #config: DiscordConfig;
  readonly botThreads: DiscordBotThreads;
  readonly #locations = new DiscordMessageLocations();
  #running: Running | undefined;
  #status: AdapterStatus = 'offline';
  #stopping = false;
  #botId: string | undefined;
  #reconnectAttempts = 0;
  #rateLimited = 0;
  /** Heartbeat interval from the gateway's last HELLO; Discord sets it per connection (about 41 s). */
  #heartbeatIntervalMs: number | undefined;
  #liveness = new LivenessTracker();

  constructor(config: DiscordConfig | DiscordConfigInput) {
    this.#config = parseDiscordConfig(config);
    this.capabilities = discordCapabilities(this.#config);
    this.botThreads = new DiscordBotThreads(this.#config.botThreadsMax);
  }

  get stats(): DiscordAdapterStats {
    const stats: DiscordAdapterStats = {
      status: this.#status,
      reconnectAttempts: this.#reconnectAttempts,
      rateLimited: this.#rateLimited,
    };
    if (this.#botId) stats.botId = this.#botId;
    return stats;
  }

  /** The discord.js client while running, for features the contract does not cover (slash commands...). */
  get client(): Client | undefined {
    return this.#running?.client;
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#running) throw alreadyStartedError(this.platform, 'DiscordAdapter');
    this.#stopping = false;
    this.#botId = undefined;
    this.#heartbeatIntervalMs = undefined;
    this.#liveness = new LivenessTracker();
    const liveness = this.#liveness;
    const logger = createRedactingLogger(ctx.logger, [this.#config.token]);
    const controller = new AbortController();
    const report = (status: AdapterStatus, detail?: string) => this.#report(ctx, status, detail);
    report('connecting');
    let intake: DiscordIntake | undefined;
    const hooks = createGatewayReporter({
      logger,
      status: report,
      stopping: () => this.#stopping,
      onMessagePayload: (id, payload) => intake?.rememberRaw(id, payload),
      onHello: (intervalMs) => {
        this.#heartbeatIntervalMs = intervalMs;
      },
      onHeartbeatAck: () => liveness.heartbeat(),
      // During start() the rejected login reports it; afterwards the host learns it from the status.
      onFatal: (_code, reason, fix) => {
        if (this.#botId !== undefined) report('failed', `${reason}. Fix: ${fix}`);
      },
    });
    const attempt = hooks.onAttempt;
    hooks.onAttempt = (info) => {
      this.#reconnectAttempts += 1;
      attempt(info);
    };
    const { client, agent } = createDiscordClient(this.#config, hooks, (info) => {
      this.#rateLimited += 1;
      logger.warn('discord rate limit: waiting before the next request', {
        route: info.route,
        retryAfterMs: info.retryAfter,
        global: info.global,
      });
    });
    const sender = new DiscordSender({
      rest: client.rest,
      config: this.#config,
      capabilities: this.capabilities,
      logger,
      locations: this.#locations,
      botThreads: this.botThreads,
      signal: controller.signal,
    });
    intake = new DiscordIntake({
      config: this.#config,
      // Every message handed to the host counts as a sign of life.
      ctx: {
        ...ctx,
        receive: (msg) => {
          liveness.inbound();
          ctx.receive(msg);
        },
      },
      logger,
      botId: () => this.#botId,
      sender,
      botThreads: this.botThreads,
      locations: this.#locations,
      attachments: {
        mediaCache: ctx.mediaCache,
        maxBytes: this.#config.maxDownloadBytes,
        allowPrivate: this.#config.mediaAllowPrivate,
        allowedHosts: this.#attachmentHosts(),
        signal: controller.signal,
      },
      stopping: () => this.#stopping,
    });
    const actions = new DiscordActionIntake({ ctx, logger, accepted: () => liveness.inbound() });
    const running: Running = { client, agent, ctx, logger, sender, intake, actions, controller };
    this.#running = running;
    this.#wire(running);
    try {
      // stop() during start() aborts the controller: start() then rejects at once instead of waiting out its timeout.
      await this.#login(running, AbortSignal.any([ctx.signal, controller.signal]));
    } catch (error) {
      await this.#teardown(running);
      throw startError(error);
    }
    this.#botId = client.user?.id;
    // The watchdog measures from this connection, not from an earlier run's last ack.
    liveness.resetHeartbeat();
    report('online');
  }

  #wire({ client, logger, intake, actions }: Running): void {
    client.on(Events.InteractionCreate, (interaction: Interaction) => {
      // Only button presses: the adapter registers no slash commands or other components.
      if (!interaction.isButton()) return;
      actions.handle(interaction).catch((error: unknown) =>
        logger.error('discord button press could not be read', {
          id: interaction.id,
          error: (error as Error).message,
        }),
      );
    });
    client.on(Events.MessageCreate, (message: Message) => {
      try {
        intake.handle(message);
      } catch (error) {
        logger.error('discord message could not be read', {
          id: message.id,
          error: (error as Error).message,
        });
      }
    });
    client.on(Events.Error, (error) => logger.error('discord.js error', { error: error.message }));
    client.on(Events.Warn, (message) => logger.warn('discord.js warning', { message }));
    client.on(Events.ClientReady, (ready) => {
      this.#botId = ready.user.id;
    });
  }

  async #login(running: Running, signal: AbortSignal): Promise<void> {
    const { client } = running;
    const ready = once(client, Events.ClientReady);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new AdapterError(
              'not_connected',
              `the Discord gateway was not ready within ${this.#config.startTimeoutMs} ms`,
              {
                platform: DISCORD_PLATFORM,
                fix: 'check the network path to discord.com (or DISCORD_API_BASE) and the bot token',
              },
            ),
          ),
        this.#config.startTimeoutMs,
      );
    });
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () =>
        reject(new AdapterError('aborted', 'start() cancelled by the host', { platform: DISCORD_PLATFORM }));
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([Promise.all([client.login(this.#config.token), ready]), deadline, aborted]);
    } finally {
      clearTimeout(timer);
      ready.catch(() => {});
    }
  }

  /** Discord's CDN, the API host when it was pointed elsewhere (a proxy or the test fake), and configured extras. */
  #attachmentHosts(): Set<string> {
    const hosts = new Set<string>(DISCORD_CDN_HOSTS);
    const api = new URL(this.#config.apiBase);
    if (!DISCORD_CDN_HOSTS.includes(api.hostname) && api.hostname !== 'discord.com') hosts.add(api.host);
    for (const h of this.#config.attachmentHosts) hosts.add(h.toLowerCase());
    return hosts;
  }

  #report(ctx: AdapterContext, status: AdapterStatus, detail?: string): void {
    // Several shards' events can repeat "online"; the host needs the change, not the echo.
    if (status === this.#status && status === 'online') return;
    this.#status = status;
    ctx.status(status, detail);
  }

  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#stopping = true;
    await this.#teardown(running);
    this.#report(running.ctx, 'offline');
  }

  async #teardown(running: Running): Promise<void> {
    this.#stopping = true;
    running.controller.abort();
    try {
      await withTimeout(running.client.destroy(), this.#config.closeTimeoutMs + 1_000);
    } catch (error) {
      running.logger.warn('discord client did not shut down cleanly', { error: (error as Error).message });
    }
    await running.agent.destroy().catch(() => {});
    if (this.#running === running) this.#running = undefined;
  }

  async send(chat: ChatRef, msg: OutboundMessage): Promise<SendResult> {
    const running = this.#running;
    if (!running) return notConnectedResult(DISCORD_PLATFORM, 'DiscordAdapter', 'send');
    return this.#counted(await running.sender.send(chat, msg));
  }

  /** Removes the buttons of a message and appends the outcome (who decided what) to its text. */
  async settleActions(chat: ChatRef, messageId: string, outcome: string): Promise<SendResult> {
    const running = this.#running;
    if (!running) return notConnectedResult(DISCORD_PLATFORM, 'DiscordAdapter', 'settleActions');
    return this.#counted(await running.sender.settle(chat, messageId, outcome));
  }

  liveness(): AdapterLiveness {
    const out = this.#liveness.liveness();
    if (this.#heartbeatIntervalMs !== undefined) out.heartbeatIntervalMs = this.#heartbeatIntervalMs;
    return out;
  }

  /** A send or edit Discord confirmed is a sign of life for the liveness record. */
  #counted(result: SendResult): SendResult {
    if (result.ok) this.#liveness.sent();
    return result;
  }

  async edit(chat: ChatRef, messageId: string, text: string): Promise<SendResult> {
    const running = this.#running;
    if (!running) return notConnectedResult(DISCORD_PLATFORM, 'DiscordAdapter', 'edit');
    return this.#counted(await running.sender.edit(chat, messageId, text));
  }

  async delete(chat: ChatRef, messageId: string): Promise<boolean> {
    return (await this.#running?.sender.delete(chat, messageId)) ?? false;
  }

  /** Adds the bot's reaction (👀 while working, ✅ or ❌ after: the host decides when). */
  async react(chat: ChatRef, messageId: string, emoji: string): Promise<void> {
    const running = this.#running;
    if (!running) throw notConnectedError(DISCORD_PLATFORM, 'DiscordAdapter', 'react');
    await running.sender.react(chat, messageId, emoji);
  }

  /** Takes the bot's reaction back (the 👀 once the answer is out). */
  async unreact(chat: ChatRef, messageId: string, emoji: string): Promise<void> {
    const running = this.#running;
    if (!running) throw notConnectedError(DISCORD_PLATFORM, 'DiscordAdapter', 'unreact');
    await running.sender.react(chat, messageId, emoji, true);
  }

  async typing(chat: ChatRef): Promise<void> {
    const running = this.#running;
    if (!running) throw notConnectedError(DISCORD_PLATFORM, 'DiscordAdapter', 'typing');
    await running.sender.typing(chat);
  }

  probe(): Promise<ProbeResult> {
    return probeDiscord(this.#config);
  }

  /** Resolves once every accepted inbound message was handed to ctx.receive (tests, shutdown). */
  async idle(): Promise<void> {
    await this.#running?.intake.idle();
  }
}

function startError(error: unknown): AdapterError {
  if (error instanceof AdapterError) return error;
  const e = error as { code?: unknown; message?: string };
  if (e.code === 'TokenInvalid' || /Authentication failed/i.test(e.message ?? '')) {
    return new AdapterError('auth_failed', 'Discord refused the bot token', {
      platform: DISCORD_PLATFORM,
      retryable: false,
      fix: 'set DISCORD_BOT_TOKEN to the token from the Bot page of the Discord Developer Portal',
      cause: error,
    });
  }
  if (/disallowed intents/i.test(e.message ?? '')) {
    return new AdapterError('config_invalid', 'Discord refused the gateway intents', {
      platform: DISCORD_PLATFORM,
      retryable: false,
      fix: 'enable "Message Content Intent" on the Bot page of the Discord Developer Portal',
      cause: error,
    });
  }
  const mapped = toDiscordError(error, 'connect to Discord');
  if (mapped.code === 'auth_failed' || mapped.code === 'config_invalid') return mapped;
  return new AdapterError('not_connected', mapped.message, {
    platform: DISCORD_PLATFORM,
    retryable: true,
    fix:
      mapped.fix ?? 'check the network path to discord.com (or DISCORD_API_BASE); the host retries the start',
    cause: error,
  });
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function createDiscordAdapter(config: DiscordConfig | DiscordConfigInput): DiscordAdapter {
  return new DiscordAdapter(config);
}
