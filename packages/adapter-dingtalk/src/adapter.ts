import {
  type AdapterContext,
  AdapterError,
  type AdapterLiveness,
  alreadyStartedError,
  type Capabilities,
  type ChatRef,
  ConnectionSupervisor,
  createRedactingLogger,
  createSendPacer,
  DedupeCache,
  type InboundMessage,
  LivenessTracker,
  type Logger,
  notConnectedError,
  notConnectedResult,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  type SendPacer,
  type SendResult,
  type StartStreamResult,
  toAdapterError,
} from '@hermes/adapter-core';
import { createDingtalkGate } from './access.js';
import { startDingtalkCardStream } from './ai-card.js';
import { DingtalkChatMemory } from './chat-memory.js';
import { isDingtalkGroupChat } from './chat-route.js';
import { type DingtalkConfig, type DingtalkConfigInput, parseDingtalkConfig } from './config.js';
import { DINGTALK_DEDUP_MAX_ENTRIES, DINGTALK_DEDUP_TTL_MS, DINGTALK_PLATFORM } from './constants.js';
import { DingtalkEmotions, type DingtalkReactionTarget } from './emotions.js';
import { dingtalkCapabilities } from './format.js';
import { type DingtalkDropStats, type DingtalkIntakeDeps, handleDingtalkRobotFrame } from './intake.js';
import { dingtalkAttachment } from './media.js';
import { type DingtalkSendStats, sendDingtalkMessage } from './outbound.js';
import type { DingtalkStreamHooks } from './stream-client.js';
import type { DingtalkStreamConnection } from './stream-connection.js';
import { DingtalkTransport } from './transport.js';

/** Everything that exists only between start() and stop(). */
interface Running {
  ctx: AdapterContext;
  logger: Logger;
  supervisor: ConnectionSupervisor;
  pacer: SendPacer;
  intake: DingtalkIntakeDeps;
  emotions: DingtalkEmotions | undefined;
  connection: DingtalkStreamConnection | undefined;
}

export interface DingtalkAdapterStats {
  send: DingtalkSendStats;
  /** Robot messages not handed to the host: redeliveries, gated out, unreadable. */
  dropped: DingtalkDropStats;
  /** Chats with a usable session webhook right now. */
  webhooks: number;
}

/**
 * The DingTalk adapter: robot messages arrive over a Stream Mode socket (dingtalk-stream's DWClient, kept
 * alive by core's supervisor) and are acknowledged once handed over; replies go to the chat's session
 * webhook while it is valid and through the robot OpenAPI otherwise.
 */
export class DingtalkAdapter implements PlatformAdapter {
  readonly platform = DINGTALK_PLATFORM;
  readonly capabilities: Capabilities;
  /** Present exactly when an AI Card template is configured (capabilities.nativeStreaming). */
  readonly startStream?: (
    chat: ChatRef,
    options: { replyTo?: string; threadId?: string },
  ) => Promise<StartStreamResult>;
  // Private: the config holds the client secret, and nothing public may expose it (the conformance suite checks).
  readonly #config: DingtalkConfig;
  readonly #transport: DingtalkTransport;
  readonly #liveness: LivenessTracker;
  readonly #memory: DingtalkChatMemory;
  readonly #sendStats: DingtalkSendStats = { webhook: 0, proactive: 0, webhookFallbacks: 0 };
  readonly #dropped: DingtalkDropStats = { duplicate: 0, gated: 0, malformed: 0, ignored: 0 };
  #running: Running | undefined;

  constructor(config: DingtalkConfigInput | DingtalkConfig) {
    this.#config = parseDingtalkConfig(config);
    this.#transport = new DingtalkTransport(this.#config);
    this.#liveness = new LivenessTracker(this.#config.heartbeatIntervalMs);
    this.#memory = new DingtalkChatMemory(this.#config.apiBase);
    this.capabilities = dingtalkCapabilities(this.#config);
    const templateId = this.#config.cardTemplateId;
    if (templateId) this.startStream = (chat) => this.#startCard(chat, templateId);
  }

  /** What the adapter saw last: the host's watchdog reconnects it when its heartbeat goes quiet. */
  liveness(): AdapterLiveness {
    return this.#liveness.liveness();
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#running) {
      throw alreadyStartedError(DINGTALK_PLATFORM, 'DingtalkAdapter');
    }
    const logger = createRedactingLogger(ctx.logger.child({ platform: DINGTALK_PLATFORM }), [
      this.#config.clientSecret,
    ]);
    const config = this.#config;
    const heartbeatTimeoutMs = Math.min(10_000, config.heartbeatIntervalMs);
    const running: Running = {
      ctx,
      logger,
      supervisor: new ConnectionSupervisor({
        name: DINGTALK_PLATFORM,
        logger,
        connect: async (signal) => {
          const connection = await this.#transport.connect(signal, this.#hooks(logger));
          running.connection = connection;
          return connection;
        },
        backoff: { kind: 'schedule', delaysMs: config.reconnectDelaysMs, jitter: 0.2 },
        heartbeat: {
          intervalMs: config.heartbeatIntervalMs,
          timeoutMs: heartbeatTimeoutMs,
          send: () =>
            running.connection?.ping() ??
            Promise.reject(new AdapterError('not_connected', 'no DingTalk connection to ping')),
        },
        connectTimeoutMs: config.connectTimeoutMs + 1_000,
        onStatus: (status, detail) => {
          // A new socket starts its own heartbeat clock; the silence of the old one is not held against it.
          if (status === 'online') this.#liveness.resetHeartbeat();
          ctx.status(status, detail);
        },
        onActivity: () => this.#liveness.heartbeat(),
        signal: ctx.signal,
      }),
      pacer: createSendPacer({
        retry: {
          maxAttempts: 4,
          logger,
        },
        logger,
      }),
      intake: {
        logger,
        dedupe: new DedupeCache({ maxEntries: DINGTALK_DEDUP_MAX_ENTRIES, ttlMs: DINGTALK_DEDUP_TTL_MS }),
        gate: createDingtalkGate(config),
        memory: this.#memory,
        dropped: this.#dropped,
        mapping: {
          attachment: (ref) =>
            dingtalkAttachment(ref, {
              cache: ctx.mediaCache,
              maxBytes: config.maxMediaBytes,
              allowPrivate: config.allowPrivateMedia,
              resolveUrl: (code, signal) => this.#transport.api.downloadUrl(this.#robotCode(), code, signal),
              signal: ctx.signal,
            }),
          now: () => new Date(),
        },
        accept: (message, target) => this.#accept(running, message, target),
      },
      emotions: config.reactions
        ? new DingtalkEmotions({ api: this.#transport.api, robotCode: () => this.#robotCode(), logger })
        : undefined,
      connection: undefined,
    };
    this.#running = running;
    this.#liveness.resetHeartbeat();
    try {
      await running.supervisor.start();
    } catch (error) {
      await this.stop();
      throw toAdapterError(error, DINGTALK_PLATFORM);
    }
  }

  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    await running.supervisor.stop();
    const last = running.connection;
    running.connection = undefined;
    if (last) {
      last.close('stopped');
      await Promise.race([last.closed, new Promise((resolve) => setTimeout(resolve, 1_500).unref())]);
    }
    running.pacer.close();
  }

  async send(chat: ChatRef, message: OutboundMessage): Promise<SendResult> {
    const running = this.#running;
    if (!running) {
      return notConnectedResult(DINGTALK_PLATFORM, 'DingtalkAdapter', 'send');
    }
    const result = await sendDingtalkMessage(
      {
        api: this.#transport.api,
        webhooks: this.#memory.webhooks,
        pacer: running.pacer,
        logger: running.logger,
        robotCode: () => this.#robotCode(),
        isGroup: (chatId) => this.#memory.isGroup(chatId),
        stats: this.#sendStats,
      },
      chat,
      message,
    );
    if (result.ok) this.#sent(running, chat.chatId);
    return result;
  }

  /** A text emotion (DingTalk has no emoji reactions for robots) on a message this adapter received. */
  async react(chat: ChatRef, messageId: string, emoji: string): Promise<void> {
    const target = this.#memory.reactionTarget(messageId);
    if (!this.#running) {
      throw notConnectedError(DINGTALK_PLATFORM, 'DingtalkAdapter', 'react');
    }
    if (!target) {
      throw new AdapterError(
        'not_found',
        `no DingTalk message ${messageId} was received in ${chat.chatId} recently`,
        {
          platform: DINGTALK_PLATFORM,
        },
      );
    }
    const emotions =
      this.#running.emotions ??
      new DingtalkEmotions({
        api: this.#transport.api,
        robotCode: () => this.#robotCode(),
        logger: this.#running.logger,
      });
    await emotions.react(target, emoji);
  }

  /** Fetches an access token with the configured credentials: nothing is started. */
  async probe(): Promise<ProbeResult> {
    try {
      await this.#transport.checkCredentials(AbortSignal.timeout(10_000));
      return {
        ok: true,
        identity: this.#config.clientId,
        detail: `access token issued by ${new URL(this.#config.apiBase).host}`,
      };
    } catch (error) {
      const adapterError = toAdapterError(error, DINGTALK_PLATFORM);
      return adapterError.fix === undefined
        ? { ok: false, error: adapterError }
        : { ok: false, error: adapterError, fix: adapterError.fix };
    }
  }

  stats(): DingtalkAdapterStats {
    return {
      send: { ...this.#sendStats },
      dropped: { ...this.#dropped },
      webhooks: this.#memory.webhooks.size,
    };
  }

  #sent(running: Running, chatId: string): void {
    this.#liveness.sent();
    running.emotions?.replied(chatId);
  }

  async #startCard(chat: ChatRef, templateId: string): Promise<StartStreamResult> {
    const running = this.#running;
    if (!running) {
      return notConnectedResult(DINGTALK_PLATFORM, 'DingtalkAdapter', 'startStream');
    }
    return startDingtalkCardStream(
      {
        api: this.#transport.api,
        pacer: running.pacer,
        templateId,
        onSent: () => this.#sent(running, chat.chatId),
      },
      {
        chat,
        isGroup: isDingtalkGroupChat(this.#memory.isGroup(chat.chatId), chat.chatId),
        robotCode: this.#robotCode(),
      },
    );
  }

  #robotCode(): string {
    return this.#config.robotCode ?? this.#memory.learnedRobotCode ?? this.#config.clientId;
  }

  #hooks(logger: Logger): DingtalkStreamHooks {
    return {
      onRobotMessage: (frame, ack) => {
        const running = this.#running;
        if (running) handleDingtalkRobotFrame(running.intake, frame, ack);
      },
      onMalformed: (problem) => {
        this.#dropped.malformed++;
        logger.warn('dropped a malformed DingTalk frame', { problem });
      },
      onActivity: () => this.#running?.supervisor.markActivity(),
      onServerDisconnect: () => {
        logger.info('DingTalk announced a disconnect; opening a new connection');
        this.#running?.supervisor.reconnectNow('DingTalk sent SYSTEM disconnect');
      },
      onHandlerError: (error) =>
        logger.error('a DingTalk frame handler threw; the frame was dropped', {
          error: toAdapterError(error).message,
        }),
    };
  }

  /** Hands an accepted message to the host, with the Thinking reaction on it. */
  #accept(running: Running, message: InboundMessage, target: DingtalkReactionTarget): void {
    this.#liveness.inbound();
    running.emotions?.thinking(message.chat.chatId, target);
    try {
      running.ctx.receive(message);
    } catch (error) {
      running.logger.error('host receive() threw; message dropped', {
        error: toAdapterError(error).message,
        msgId: message.id,
      });
    }
  }
}

/** Validates the config (throws AdapterError 'config_invalid' naming the key) and builds the adapter. */
export function createDingtalkAdapter(config: DingtalkConfigInput | DingtalkConfig): DingtalkAdapter {
  return new DingtalkAdapter(config);
}
