import { randomUUID } from 'node:crypto';
import {
  type AdapterContext,
  AdapterError,
  type AdapterLiveness,
  alreadyStartedError,
  type Capabilities,
  type ChatRef,
  createRedactingLogger,
  createSendPacer,
  createTextBatcher,
  DedupeCache,
  type InboundMessage,
  LivenessTracker,
  type Logger,
  mergeInboundBatch,
  notConnectedResult,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  type SendPacer,
  type SendResult,
  silentLogger,
  type TextBatcher,
  toAdapterError,
} from '@hermes/adapter-core';
import { createWecomAccessPolicy, type WecomAccessPolicy } from './access.js';
import { parseWecomConfig, type WecomConfig, type WecomConfigInput } from './config.js';
import type { WecomCallbackFrame } from './connection.js';
import {
  WECOM_FILE_MAX_BYTES,
  WECOM_MAX_MESSAGE_LENGTH,
  WECOM_PLATFORM,
  WECOM_TEXT_BATCH_SPLIT_THRESHOLD,
} from './constants.js';
import { buildWecomInbound, type WecomInboundOptions, type WecomMediaItem, wecomChatOf } from './inbound.js';
import { fetchWecomMedia } from './media-in.js';
import { sendWecomMessage, type WecomOutboundDeps, type WecomSendStats } from './outbound.js';
import { WecomReplyTokenCache, type WecomReplyTokenStats } from './reply-tokens.js';
import { probeWecom, WecomTransport } from './transport.js';

export const wecomCapabilities: Capabilities = {
  maxMessageLength: WECOM_MAX_MESSAGE_LENGTH,
  lengthUnit: 'char',
  markdown: 'markdown',
  edit: false,
  delete: false,
  typing: false,
  reactions: false,
  threads: false,
  media: {
    send: ['image', 'video', 'voice', 'audio', 'file'],
    receive: ['image', 'video', 'file'],
    maxUploadBytes: WECOM_FILE_MAX_BYTES,
  },
};

/** Everything that lives from start() to stop(). */
interface Running {
  ctx: AdapterContext;
  logger: Logger;
  transport: WecomTransport;
  pacer: SendPacer;
  /** What every send() needs, built once per start rather than once per reply. */
  outbound: WecomOutboundDeps;
  batcher: TextBatcher<InboundMessage> | undefined;
  dedupe: DedupeCache;
  access: WecomAccessPolicy;
}

export interface WecomAdapterStats {
  deviceId: string;
  send: WecomSendStats;
  replyTokens: WecomReplyTokenStats;
  /** Callbacks dropped: duplicates, blocked by the access policy, or empty. */
  dropped: { duplicate: number; blocked: number; empty: number };
}

/** A callback that is plain text (no media, no command) may wait for the rest of a split paste. */
function isBatchable(msg: InboundMessage): boolean {
  const body = (msg.raw as { body?: { msgtype?: string } }).body;
  return body?.msgtype === 'text' && msg.attachments.length === 0 && !msg.text.trimStart().startsWith('/');
}

/**
 * The WeCom AI-bot adapter: one WebSocket to WeCom's gateway, inbound callbacks deduped, filtered by the
 * access policy and batched, replies sent passively with the callback's req_id whenever one is known.
 */
export class WecomAdapter implements PlatformAdapter {
  readonly platform = WECOM_PLATFORM;
  readonly capabilities: Capabilities = wecomCapabilities;
  readonly #config: WecomConfig;
  /** Sent with every subscribe, so WeCom replaces our old session after a reconnect instead of keeping both. */
  readonly deviceId: string;
  readonly #tokens: WecomReplyTokenCache;
  readonly #sendStats: WecomSendStats = { passive: 0, proactive: 0, staleTokenFallbacks: 0 };
  readonly #dropped = { duplicate: 0, blocked: 0, empty: 0 };
  readonly #liveness: LivenessTracker;
  /** The part of buildWecomInbound's options that is the same for every callback, built once. */
  readonly #inboundOptions: Pick<WecomInboundOptions, 'botName' | 'fetchMedia'>;
  #running: Running | undefined;
  /**
   * Between stop() and the socket's close WeCom still pushes callbacks to this socket, and never pushes one
   * twice: they are still handed to the host (which journals them), not dropped.
   */
  #closing: Running | undefined;

  constructor(config: WecomConfigInput | WecomConfig) {
    this.#config = parseWecomConfig(config);
    this.deviceId = this.#config.deviceId ?? randomUUID().replaceAll('-', '');
    // A ping goes out every interval and every frame counts, so silence over three intervals is a stall.
    this.#liveness = new LivenessTracker(this.#config.heartbeatIntervalMs);
    const fetchMedia = (item: WecomMediaItem) => this.#fetchMedia(item);
    this.#inboundOptions = this.#config.botName
      ? { botName: this.#config.botName, fetchMedia }
      : { fetchMedia };
    this.#tokens = new WecomReplyTokenCache({
      ...this.#config.replyCache,
      onPendingEvicted: (token) =>
        this.#running?.logger.warn('WeCom reply token cap reached: oldest unanswered token dropped', {
          chatId: token.chatId,
        }),
    });
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#running) throw alreadyStartedError(WECOM_PLATFORM, 'WecomAdapter');
    const logger = createRedactingLogger(ctx.logger.child({ platform: WECOM_PLATFORM }), [
      this.#config.secret,
    ]);
    const transport = new WecomTransport({
      config: this.#config,
      deviceId: this.deviceId,
      logger,
      onCallback: (frame, connectionId) => this.#onCallback(frame, connectionId),
      onStatus: (status, detail) => {
        // A new socket starts its own heartbeat clock; the silence of the old one is not held against it.
        if (status === 'online') this.#liveness.resetHeartbeat();
        ctx.status(status, detail);
      },
      onActivity: () => this.#liveness.heartbeat(),
      signal: ctx.signal,
    });
    const pacer = createSendPacer({
      retry: {
        maxAttempts: 6,
        // Nothing was written when the socket was down, so that retry is always safe; others get 3 tries.
        shouldRetry: (error, attempt) => error.code === 'not_connected' || (error.retryable && attempt < 3),
        logger,
      },
      logger,
    });
    const running: Running = {
      ctx,
      logger,
      transport,
      pacer,
      outbound: {
        transport,
        tokens: this.#tokens,
        pacer,
        logger,
        capabilities: this.capabilities,
        stats: this.#sendStats,
        onDelivered: () => this.#liveness.sent(),
      },
      batcher: this.#config.textBatching ? this.#createBatcher(ctx, logger) : undefined,
      dedupe: new DedupeCache(this.#config.dedupe),
      access: createWecomAccessPolicy(this.#config),
    };
    this.#running = running;
    this.#liveness.resetHeartbeat();
    try {
      await transport.start();
    } catch (error) {
      await this.stop();
      throw toAdapterError(error, WECOM_PLATFORM);
    }
  }

  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    this.#closing = running;
    // Hand over what is still waiting in a batch rather than dropping it.
    running.batcher?.flushAll();
    running.batcher?.close();
    try {
      await running.transport.stop();
    } finally {
      if (this.#closing === running) this.#closing = undefined;
      running.pacer.close();
    }
  }

  send(chat: ChatRef, msg: OutboundMessage): Promise<SendResult> {
    const running = this.#running;
    if (!running) {
      return Promise.resolve(notConnectedResult(WECOM_PLATFORM, 'WecomAdapter', 'send'));
    }
    return sendWecomMessage(running.outbound, chat, msg);
  }

  liveness(): AdapterLiveness {
    return this.#liveness.liveness();
  }

  /** One subscribe handshake with the configured credentials, then close. */
  async probe(): Promise<ProbeResult> {
    try {
      await probeWecom(this.#config, this.deviceId, this.#running?.logger ?? silentLogger);
      return {
        ok: true,
        identity: this.#config.botId,
        detail: `subscribed to ${new URL(this.#config.websocketUrl).host}`,
      };
    } catch (error) {
      const adapterError = toAdapterError(error, WECOM_PLATFORM);
      return adapterError.fix
        ? { ok: false, error: adapterError, fix: adapterError.fix }
        : { ok: false, error: adapterError };
    }
  }

  stats(): WecomAdapterStats {
    return {
      deviceId: this.deviceId,
      send: { ...this.#sendStats },
      replyTokens: this.#tokens.stats(),
      dropped: { ...this.#dropped },
    };
  }

  #createBatcher(ctx: AdapterContext, logger: Logger): TextBatcher<InboundMessage> {
    return createTextBatcher<InboundMessage>({
      delayMs: this.#config.textBatchDelayMs,
      splitDelayMs: this.#config.textBatchSplitDelayMs,
      splitThreshold: WECOM_TEXT_BATCH_SPLIT_THRESHOLD,
      textOf: (msg) => msg.text,
      isBatchable,
      logger,
      onFlush: (_key, items) => {
        // The merged message answers under the first piece's token; the others will never be replied to.
        for (const item of items.slice(1)) this.#tokens.markAnswered(item.id);
        this.#handOver(ctx, logger, mergeInboundBatch(items));
      },
    });
  }

  #handOver(ctx: AdapterContext, logger: Logger, msg: InboundMessage): void {
    try {
      ctx.receive(msg);
    } catch (error) {
      logger.error('host receive() threw; message dropped', {
        error: toAdapterError(error).message,
        msgid: msg.id,
      });
    }
  }

  #fetchMedia(item: WecomMediaItem) {
    const running = this.#running;
    if (!running)
      return Promise.reject(
        new AdapterError('not_connected', 'WeCom adapter is stopped', { platform: WECOM_PLATFORM }),
      );
    return fetchWecomMedia(item.ref, {
      cache: running.ctx.mediaCache,
      maxBytes: this.#config.maxMediaBytes,
      allowPrivate: this.#config.mediaAllowPrivate,
      logger: running.logger,
      signal: running.ctx.signal,
    });
  }

  /** Intake: dedupe → access policy → content → reply token → batching → host. */
  #onCallback(frame: WecomCallbackFrame, connectionId: number): void {
    const closing = this.#running === undefined;
    const running = this.#running ?? this.#closing;
    if (!running) return;
    const { body, reqId } = frame;
    const key = body.msgid || reqId;
    if (running.dedupe.seen(key)) {
      this.#dropped.duplicate++;
      running.logger.debug('WeCom duplicate callback dropped', { msgid: key });
      return;
    }
    const chat = wecomChatOf(body);
    const decision = running.access.check({ ...chat, senderId: body.from.userid });
    if (!decision.allowed) {
      this.#dropped.blocked++;
      running.logger.info('WeCom message blocked by the access policy', {
        policy: decision.policy,
        reason: decision.reason,
      });
      return;
    }
    const msg = buildWecomInbound(body, {
      reqId,
      cmd: frame.cmd,
      ...this.#inboundOptions,
    });
    if (!msg) {
      this.#dropped.empty++;
      running.logger.debug('WeCom callback without text or media dropped', { msgtype: body.msgtype });
      return;
    }
    this.#liveness.inbound();
    this.#tokens.remember(msg.id, chat.chatId, reqId, connectionId);
    // While closing the batcher is gone: each message goes straight to the host.
    if (running.batcher && !closing) running.batcher.add(`${chat.chatId}:${body.from.userid}`, msg);
    else this.#handOver(running.ctx, running.logger, msg);
  }
}

export function createWecomAdapter(config: WecomConfigInput | WecomConfig): WecomAdapter {
  return new WecomAdapter(config);
}
