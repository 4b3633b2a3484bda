import {
  type AdapterContext,
  type AdapterError,
  type AdapterLiveness,
  alreadyStartedError,
  type Capabilities,
  type ChatRef,
  type ChatType,
  ConnectionSupervisor,
  createRedactingLogger,
  createSendPacer,
  DedupeCache,
  LivenessTracker,
  type Logger,
  notConnectedError,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  RecentMap,
  type SendPacer,
  type SendResult,
  silentLogger,
  toAdapterError,
} from '@hermes/adapter-core';
import { MattermostActionEndpoint, type MattermostPress } from './actions.js';
import { type MattermostConfig, type MattermostConfigInput, parseMattermostConfig } from './config.js';
import { mattermostEmojiName } from './emoji.js';
import { mattermostCapabilities } from './format.js';
import { type MattermostPayload, mapMattermostInbound } from './inbound.js';
import {
  editMattermostPost,
  type MattermostOutboundDeps,
  mattermostPacingKey,
  sendMattermostMessage,
} from './outbound.js';
import { MattermostTransport } from './transport.js';

const PLATFORM = 'mattermost';
/** Posts remembered for thread roots, chat types and button texts. */
const RECENT = 2_000;

/** Everything that exists only between start() and stop(). */
interface Running {
  ctx: AdapterContext;
  logger: Logger;
  transport: MattermostTransport;
  supervisor: ConnectionSupervisor;
  pacer: SendPacer;
  dedupe: DedupeCache;
  actions: MattermostActionEndpoint | undefined;
}

/**
 * The Mattermost adapter: posts in over the WebSocket (`posted` events, plus a REST catch-up after every
 * reconnect), posts out over REST v4, with threads (root_id), edits, reactions, typing, files and,
 * when the button endpoint is configured, interactive buttons.
 */
export class MattermostAdapter implements PlatformAdapter {
  readonly platform = PLATFORM;
  readonly capabilities: Capabilities;
  /** Present exactly when buttons are configured (capabilities.buttons). */
  readonly settleActions?: (chat: ChatRef, messageId: string, outcome: string) => Promise<SendResult>;
  // Private: the config holds the token, and nothing public may expose it (the conformance suite checks).
  readonly #config: MattermostConfig;
  readonly #liveness: LivenessTracker;
  /** post id → its thread root ('' for a root post). */
  readonly #roots = new RecentMap<string>(RECENT);
  /** Thread roots the bot has posted under. */
  readonly #botThreads = new RecentMap<true>(RECENT);
  readonly #chatTypes = new RecentMap<ChatType>(RECENT);
  /** Text of posts that carry buttons, to keep it when the buttons are settled. */
  readonly #buttonTexts = new RecentMap<string>(RECENT);
  #running: Running | undefined;

  constructor(config: MattermostConfigInput) {
    this.#config = parseMattermostConfig(config);
    this.capabilities = mattermostCapabilities(this.#config.actions !== undefined);
    // The adapter pings on this interval; three missed answers mean the socket is dead.
    this.#liveness = new LivenessTracker(this.#config.pingIntervalMs);
    if (this.#config.actions) this.settleActions = (chat, id, outcome) => this.#settle(chat, id, outcome);
  }

  /** What the adapter saw last: the host's watchdog reconnects it when its heartbeat goes quiet. */
  liveness(): AdapterLiveness {
    return this.#liveness.liveness();
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#running) {
      throw alreadyStartedError(PLATFORM, 'MattermostAdapter');
    }
    const config = this.#config;
    const logger = createRedactingLogger(ctx.logger, [
      config.token,
      ...(config.actions?.secret ? [config.actions.secret] : []),
    ]);
    let supervisor!: ConnectionSupervisor;
    const transport = new MattermostTransport({
      config,
      logger,
      onPayload: (payload) => this.#onPayload(payload),
      onMalformed: (problem) =>
        logger.warn('mattermost: dropped a malformed WebSocket frame', { platform: PLATFORM, problem }),
      onFrame: () => supervisor.markActivity(),
    });
    supervisor = new ConnectionSupervisor({
      name: PLATFORM,
      logger,
      connect: (signal) => transport.connect(signal),
      backoff: {
        kind: 'exponential',
        initialMs: config.reconnect.initialMs,
        maxMs: config.reconnect.maxMs,
        factor: 2,
        jitter: 0.2,
      },
      heartbeat: {
        intervalMs: config.pingIntervalMs,
        timeoutMs: Math.max(1_000, Math.min(10_000, config.pingIntervalMs)),
        send: () => transport.ping(),
      },
      onStatus: (status, detail) => {
        if (status === 'online') this.#liveness.resetHeartbeat();
        ctx.status(status, detail);
      },
      onActivity: () => this.#liveness.heartbeat(),
      signal: ctx.signal,
    });
    const pacer = createSendPacer({
      // No bucket of our own: Mattermost's rate limiter is off by default and, when an admin turns it on,
      // its 429 carries Retry-After, which the pacer honours per channel.
      retry: {
        maxAttempts: 6,
        // A 429 is waited out as long as the attempts last; anything else retryable gets three tries.
        shouldRetry: (error, attempt) => error.code === 'rate_limited' || (error.retryable && attempt < 3),
        logger,
      },
      logger,
    });
    const running: Running = {
      ctx,
      logger,
      transport,
      supervisor,
      pacer,
      dedupe: new DedupeCache({ maxEntries: 10_000, ttlMs: 30 * 60_000 }),
      actions: config.actions
        ? new MattermostActionEndpoint(config.actions, logger, (press) => this.#onPress(press))
        : undefined,
    };
    this.#running = running;
    this.#liveness.resetHeartbeat();
    if (running.actions) {
      // The endpoint is ours, not the supervisor's: a host shutdown must close it too.
      ctx.signal.addEventListener('abort', () => void this.stop(), { once: true });
    }
    try {
      await running.actions?.start();
      await supervisor.start();
    } catch (error) {
      await this.stop();
      throw toAdapterError(error, PLATFORM);
    }
  }

  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    await running.supervisor.stop();
    running.pacer.close();
    await running.actions?.stop();
  }

  async send(chat: ChatRef, message: OutboundMessage): Promise<SendResult> {
    const deps = this.#deps();
    if (!deps) return { ok: false, error: this.#notConnected('send') };
    this.#chatTypes.set(chat.chatId, chat.chatType);
    const result = await sendMattermostMessage(deps, chat, message);
    if (result.ok) {
      this.#liveness.sent();
      if (message.actions && message.actions.length > 0 && message.text) {
        this.#buttonTexts.set(result.messageIds.at(-1)!, message.text);
      }
    }
    return result;
  }

  async edit(chat: ChatRef, messageId: string, text: string): Promise<SendResult> {
    const deps = this.#deps();
    if (!deps) return { ok: false, error: this.#notConnected('edit') };
    const result = await editMattermostPost(deps, chat, messageId, text);
    if (result.ok) this.#liveness.sent();
    return result;
  }

  async delete(chat: ChatRef, messageId: string): Promise<boolean> {
    const running = this.#running;
    if (!running) return false;
    try {
      await running.pacer.run(mattermostPacingKey(chat), () => running.transport.api.deletePost(messageId));
      return true;
    } catch (error) {
      running.logger.warn('mattermost: delete failed', {
        platform: PLATFORM,
        error: toAdapterError(error).message,
      });
      return false;
    }
  }

  async react(chat: ChatRef, messageId: string, emoji: string): Promise<void> {
    const running = this.#running;
    const bot = running?.transport.identity;
    if (!running || !bot) throw this.#notConnected('react');
    const name = mattermostEmojiName(emoji);
    await running.pacer.run(mattermostPacingKey(chat), () =>
      running.transport.api.addReaction(bot.id, messageId, name),
    );
  }

  async typing(chat: ChatRef): Promise<void> {
    const running = this.#running;
    const bot = running?.transport.identity;
    if (!running || !bot) throw this.#notConnected('typing');
    // Not paced: an indicator that waits behind posts is worthless, and the server keeps it for a few seconds.
    await running.transport.api.publishTyping(bot.id, chat.chatId, chat.threadId ?? '');
  }

  async probe(): Promise<ProbeResult> {
    const transport = new MattermostTransport({
      config: this.#config,
      logger: this.#running?.logger ?? silentLogger,
      onPayload: () => {},
      onMalformed: () => {},
      onFrame: () => {},
    });
    try {
      const me = await transport.whoAmI(AbortSignal.timeout(10_000));
      return { ok: true, identity: `@${me.username}`, detail: `user id ${me.id} on ${this.#config.url}` };
    } catch (error) {
      const adapterError = toAdapterError(error, PLATFORM);
      return adapterError.fix === undefined
        ? { ok: false, error: adapterError }
        : { ok: false, error: adapterError, fix: adapterError.fix };
    }
  }

  #notConnected(what: string): AdapterError {
    return notConnectedError(PLATFORM, 'MattermostAdapter', what);
  }

  #deps(): MattermostOutboundDeps | undefined {
    const running = this.#running;
    const bot = running?.transport.identity;
    if (!running || !bot) return undefined;
    const actions = running.actions;
    return {
      api: running.transport.api,
      pacer: running.pacer,
      botUserId: bot.id,
      replyMode: this.#config.replyMode,
      rootOf: (postId) => this.#roots.get(postId),
      onThreadPost: (rootId) => this.#botThreads.set(rootId, true),
      ...(actions ? { actionProps: (list) => actions.props(list) } : {}),
    };
  }

  async #settle(chat: ChatRef, messageId: string, outcome: string): Promise<SendResult> {
    const running = this.#running;
    if (!running) return { ok: false, error: this.#notConnected('settleActions') };
    try {
      // After a restart the text is not remembered: read it back so the question stays above the outcome.
      const text =
        this.#buttonTexts.get(messageId) ??
        (await running.pacer.run(mattermostPacingKey(chat), () => running.transport.api.getPost(messageId)))[
          'message'
        ];
      const message = typeof text === 'string' && text !== '' ? `${text}\n\n${outcome}` : outcome;
      // Props replace the post's props as a whole: without attachments the buttons are gone.
      await running.pacer.run(mattermostPacingKey(chat), () =>
        running.transport.api.patchPost(messageId, { message, props: {} }),
      );
      this.#buttonTexts.delete(messageId);
      this.#liveness.sent();
      return { ok: true, messageIds: [messageId] };
    } catch (error) {
      return { ok: false, error: toAdapterError(error, PLATFORM) };
    }
  }

  #onPress(press: MattermostPress): void {
    const running = this.#running;
    if (!running) return;
    if (running.dedupe.seen(`press:${press.pressId}`)) return;
    const receive = running.ctx.receiveAction;
    if (!receive) {
      running.logger.info('mattermost: a button was pressed but the host takes no button presses', {
        platform: PLATFORM,
      });
      return;
    }
    receive({
      id: press.pressId,
      chat: {
        platform: PLATFORM,
        chatId: press.channelId,
        chatType: this.#chatTypes.get(press.channelId) ?? 'channel',
      },
      sender: press.userName ? { id: press.userId, name: press.userName } : { id: press.userId },
      messageId: press.postId,
      actionId: press.actionId,
      receivedAt: new Date(),
      raw: press.raw,
    });
  }

  #onPayload(payload: MattermostPayload): void {
    const running = this.#running;
    const bot = running?.transport.identity;
    if (!running || !bot) return;
    const result = mapMattermostInbound(payload, {
      bot,
      requireMention: this.#config.requireMention,
      inBotThread: (rootId) => this.#botThreads.get(rootId) === true,
      fileUrl: (fileId) => running.transport.api.fileUrl(fileId),
      media: {
        cache: running.ctx.mediaCache,
        maxBytes: this.#config.maxMediaBytes,
        allowPrivate: this.#config.allowPrivateMedia,
        serverHost: new URL(this.#config.url).hostname.replace(/^\[|\]$/g, ''),
        headers: { authorization: `Bearer ${this.#config.token}` },
        signal: running.ctx.signal,
      },
      now: () => new Date(),
    });
    if (result.kind === 'malformed') {
      running.logger.warn('mattermost: dropped a malformed payload', {
        platform: PLATFORM,
        problem: result.problem,
      });
      return;
    }
    if (result.seen) running.transport.seen.note(result.seen.id, result.seen.createAt);
    if (result.kind === 'ignored') {
      running.logger.debug('mattermost: ignored a payload', { platform: PLATFORM, reason: result.reason });
      return;
    }
    const message = result.message;
    // A post can come twice: over the socket and again from the catch-up after a reconnect.
    if (running.dedupe.seen(message.id)) return;
    this.#roots.set(message.id, message.chat.threadId ?? '');
    this.#chatTypes.set(message.chat.chatId, message.chat.chatType);
    this.#liveness.inbound();
    running.ctx.receive(message);
  }
}

/** Validates the config (throws AdapterError 'config_invalid' naming the key) and builds the adapter. */
export function createMattermostAdapter(config: MattermostConfigInput): MattermostAdapter {
  return new MattermostAdapter(config);
}
