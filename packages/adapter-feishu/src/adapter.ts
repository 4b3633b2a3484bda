import { dirname, join } from 'node:path';
import {
  type AdapterContext,
  type AdapterLiveness,
  alreadyStartedError,
  type Capabilities,
  type ChatRef,
  ConnectionSupervisor,
  createRedactingLogger,
  createSendPacer,
  LivenessTracker,
  type Logger,
  type MessageAction,
  notConnectedError,
  notConnectedResult,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  RecentMap,
  type SendPacer,
  type SendResult,
  silentLogger,
  toAdapterError,
} from '@hermes/adapter-core';
import * as lark from '@larksuiteoapi/node-sdk';
import { type FeishuConfig, type FeishuConfigInput, parseFeishuConfig } from './config.js';
import { FEISHU_DEFAULT_PING_INTERVAL_MS, FEISHU_PLATFORM } from './constants.js';
import { FeishuDedupeStore } from './dedupe-store.js';
import { feishuCapabilities, feishuCardBody, feishuPostBody, feishuTextBody } from './format.js';
import type { BotIdentity } from './inbound-content.js';
import { FeishuIntake, type FeishuIntakeStats } from './intake.js';
import { type FeishuSendStats, sendFeishuMessage } from './outbound.js';
import { feishuEmojiType } from './reactions.js';
import { FeishuRestClient } from './rest-client.js';
import { larkLoggerFor } from './sdk-logger.js';
import { FeishuTypingReactions } from './typing-reaction.js';
import { type FeishuWebhookServer, startFeishuWebhookServer } from './webhook-server.js';
import { openFeishuWsConnection } from './ws-connection.js';

/** Everything that exists only between start() and stop(). */
interface Running {
  ctx: AdapterContext;
  logger: Logger;
  rest: FeishuRestClient;
  pacer: SendPacer;
  supervisor: ConnectionSupervisor | undefined;
  webhook: FeishuWebhookServer | undefined;
  intake: FeishuIntake;
  dedupe: FeishuDedupeStore;
  bot: BotIdentity;
  typing: FeishuTypingReactions;
  /** msg_type of what the bot sent, so an edit keeps it. */
  sentTypes: RecentMap<string>;
  cards: RecentMap<{ text: string; actions: readonly MessageAction[] }>;
}

export interface FeishuAdapterStats {
  send: FeishuSendStats;
  dropped: FeishuIntakeStats;
}

/**
 * The Feishu / Lark adapter: the official SDK's long connection (or a hardened webhook server) in,
 * lark.Client REST out. Inbound events are checked against this app, deduped by message_id across
 * restarts and batched; replies fall back to new messages when their target is gone and carry a uuid.
 */
export class FeishuAdapter implements PlatformAdapter {
  readonly platform = FEISHU_PLATFORM;
  readonly capabilities: Capabilities;
  readonly #config: FeishuConfig;
  readonly #liveness: LivenessTracker;
  readonly #stats: FeishuAdapterStats = {
    send: { replyFallbacks: 0, plainTextResends: 0 },
    dropped: { duplicate: 0, otherApp: 0, ignored: 0, malformed: 0 },
  };
  #running: Running | undefined;
  /** Present only when FEISHU_REACTIONS is on (the flag and the member go together). */
  readonly react?: (chat: ChatRef, messageId: string, emoji: string) => Promise<void>;
  /** A "Typing" reaction on the user's latest message (Feishu has no indicator); FEISHU_REACTIONS too. */
  readonly typing?: (chat: ChatRef) => Promise<void>;

  constructor(config: FeishuConfigInput | FeishuConfig) {
    this.#config = parseFeishuConfig(config);
    this.capabilities = feishuCapabilities({ reactions: this.#config.reactions });
    // The long connection shows a sign of life every ping interval; a webhook has no rhythm of its own
    // (Feishu only calls when something happens), so no heartbeat is promised there.
    this.#liveness = new LivenessTracker(
      this.#config.connectionMode === 'websocket' ? FEISHU_DEFAULT_PING_INTERVAL_MS : undefined,
    );
    if (this.#config.reactions) {
      this.react = (chat, messageId, emoji) => this.#react(chat, messageId, emoji);
      this.typing = (chat) => this.#typing(chat);
    }
  }

  liveness(): AdapterLiveness {
    return this.#liveness.liveness();
  }

  /** Where webhook mode listens (full URL with the path), while started in that mode. */
  get webhookUrl(): string | undefined {
    return this.#running?.webhook?.url;
  }

  stats(): FeishuAdapterStats {
    return { send: { ...this.#stats.send }, dropped: { ...this.#stats.dropped } };
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#running) throw alreadyStartedError(FEISHU_PLATFORM, 'FeishuAdapter');
    const secrets = [this.#config.appSecret, this.#config.encryptKey, this.#config.verificationToken].filter(
      (s): s is string => s !== undefined,
    );
    const logger = createRedactingLogger(ctx.logger.child({ platform: FEISHU_PLATFORM }), secrets);
    const rest = this.#rest(logger);
    const dedupe = new FeishuDedupeStore(
      this.#config.stateDir ?? join(dirname(ctx.mediaCache.dir), FEISHU_PLATFORM),
      logger,
    );
    const bot: BotIdentity = {
      ...(this.#config.botOpenId ? { openId: this.#config.botOpenId } : {}),
      ...(this.#config.botUserId ? { userId: this.#config.botUserId } : {}),
      ...(this.#config.botName ? { name: this.#config.botName } : {}),
    };
    const typing = new FeishuTypingReactions(rest, logger);
    const running: Running = {
      ctx,
      logger,
      rest,
      pacer: createSendPacer({
        // Feishu: 5 messages per second per chat, 50 per second per app.
        perChat: { capacity: 5, refillPerSecond: 5 },
        global: {
          capacity: this.#config.globalSendsPerSecond,
          refillPerSecond: this.#config.globalSendsPerSecond,
        },
        retry: { maxAttempts: 4, logger },
        logger,
      }),
      supervisor: undefined,
      webhook: undefined,
      intake: new FeishuIntake({
        config: this.#config,
        ctx,
        logger,
        rest,
        bot,
        dedupe,
        stats: this.#stats.dropped,
        onActivity: () => this.#running?.supervisor?.markActivity(),
        onAccepted: (msg) => {
          this.#liveness.inbound();
          typing.noteInbound(msg.chat.chatId, msg.id);
        },
      }),
      dedupe,
      bot,
      typing,
      sentTypes: new RecentMap(4096),
      cards: new RecentMap(1024),
    };
    this.#running = running;
    this.#liveness.resetHeartbeat();
    try {
      await dedupe.load();
      await this.#learnIdentity(running);
      const dispatcher = this.#dispatcher(running);
      if (this.#config.connectionMode === 'webhook') {
        running.webhook = await startFeishuWebhookServer({
          config: this.#config,
          dispatcher,
          logger,
          onRequest: () => this.#liveness.heartbeat(),
        });
        ctx.status('online', `webhook on ${running.webhook.url}`);
      } else {
        running.supervisor = this.#supervisor(running, dispatcher);
        await running.supervisor.start();
      }
    } catch (error) {
      await this.stop();
      throw toAdapterError(error, FEISHU_PLATFORM);
    }
  }

  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    running.intake.close();
    await running.supervisor?.stop();
    await running.webhook?.close();
    running.pacer.close();
    await running.dedupe.save();
    if (running.webhook) running.ctx.status('offline', 'stopped');
  }

  async send(chat: ChatRef, message: OutboundMessage): Promise<SendResult> {
    const running = this.#running;
    if (!running) return notConnectedResult(FEISHU_PLATFORM, 'FeishuAdapter', 'send');
    const result = await sendFeishuMessage(
      {
        rest: running.rest,
        pacer: running.pacer,
        logger: running.logger,
        rememberCard: (id, card) => running.cards.set(id, card),
        rememberType: (id, msgType) => running.sentTypes.set(id, msgType),
      },
      this.#stats.send,
      chat,
      message,
    );
    if (result.ok) {
      this.#liveness.sent();
      running.typing.clear(chat.chatId);
    }
    return result;
  }

  /** Edits a text or post message in place (streaming); a card keeps its buttons. */
  async edit(chat: ChatRef, messageId: string, text: string): Promise<SendResult> {
    const running = this.#running;
    if (!running) return notConnectedResult(FEISHU_PLATFORM, 'FeishuAdapter', 'edit');
    try {
      const card = running.cards.get(messageId);
      await running.pacer.run(chat.chatId, async () => {
        if (card) {
          await running.rest.patchCard(messageId, feishuCardBody(text, card.actions).content);
          running.cards.set(messageId, { ...card, text });
          return;
        }
        // An edit keeps the message's type (Feishu's update API does not turn text into a post or back).
        const sentAs = running.sentTypes.get(messageId);
        const body =
          sentAs === 'post'
            ? feishuPostBody(text)
            : feishuTextBody(text, sentAs === 'text' ? 'plain' : 'markdown');
        await running.rest.updateMessage(messageId, body.msgType, body.content);
      });
      this.#liveness.sent();
      return { ok: true, messageIds: [messageId] };
    } catch (error) {
      return { ok: false, error: toAdapterError(error, FEISHU_PLATFORM) };
    }
  }

  /** Redraws a card without its buttons, with the outcome in their place. */
  async settleActions(chat: ChatRef, messageId: string, outcome: string): Promise<SendResult> {
    const running = this.#running;
    if (!running) return notConnectedResult(FEISHU_PLATFORM, 'FeishuAdapter', 'settleActions');
    const card = running.cards.get(messageId);
    try {
      await running.pacer.run(chat.chatId, () =>
        running.rest.patchCard(messageId, feishuCardBody(card?.text ?? '', [], outcome).content),
      );
      running.cards.delete(messageId);
      return { ok: true, messageIds: [messageId] };
    } catch (error) {
      return { ok: false, error: toAdapterError(error, FEISHU_PLATFORM) };
    }
  }

  async #react(_chat: ChatRef, messageId: string, emoji: string): Promise<void> {
    const running = this.#running;
    if (!running) throw notConnectedError(FEISHU_PLATFORM, 'FeishuAdapter', 'react');
    // Reactions have their own limits on Feishu; they do not spend the chat's message budget.
    await running.rest.addReaction(messageId, feishuEmojiType(emoji));
  }

  async #typing(chat: ChatRef): Promise<void> {
    const running = this.#running;
    if (!running) throw notConnectedError(FEISHU_PLATFORM, 'FeishuAdapter', 'typing');
    await running.typing.show(chat.chatId);
  }

  /** Fetches a tenant token and asks bot/v3/info: the credentials work and the bot ability is on. */
  async probe(): Promise<ProbeResult> {
    const rest = this.#rest(this.#running?.logger ?? silentLogger);
    try {
      const bot = await rest.whoAmI();
      return {
        ok: true,
        identity: bot.name ?? bot.openId,
        detail: `${this.#config.domain} as ${bot.openId}`,
      };
    } catch (error) {
      const e = toAdapterError(error, FEISHU_PLATFORM);
      return e.fix ? { ok: false, error: e, fix: e.fix } : { ok: false, error: e };
    }
  }

  #rest(logger: Logger): FeishuRestClient {
    return new FeishuRestClient({
      appId: this.#config.appId,
      appSecret: this.#config.appSecret,
      baseUrl: this.#config.domain,
      timeoutMs: this.#config.requestTimeoutMs,
      logger,
    });
  }

  /** Bot identity from bot/v3/info unless FEISHU_BOT_OPEN_ID is set; wrong credentials fail start here. */
  async #learnIdentity(running: Running): Promise<void> {
    if (running.bot.openId) return;
    const bot = await running.rest.whoAmI();
    running.bot.openId = bot.openId;
    if (!running.bot.name && bot.name) running.bot.name = bot.name;
  }

  #supervisor(running: Running, dispatcher: lark.EventDispatcher): ConnectionSupervisor {
    const delays = this.#config.reconnectDelaysMs;
    return new ConnectionSupervisor({
      name: FEISHU_PLATFORM,
      logger: running.logger,
      connect: (signal) =>
        openFeishuWsConnection(
          {
            appId: this.#config.appId,
            appSecret: this.#config.appSecret,
            baseUrl: this.#config.domain,
            logger: running.logger,
            dispatcher,
            handshakeTimeoutMs: this.#config.connectTimeoutMs,
            pingTimeoutS: 30,
            onAlive: () => running.supervisor?.markActivity(),
          },
          signal,
        ),
      ...(delays ? { backoff: { kind: 'schedule' as const, delaysMs: delays, jitter: 0 } } : {}),
      connectTimeoutMs: this.#config.connectTimeoutMs + 5_000,
      onStatus: (status, detail) => {
        if (status === 'online') this.#liveness.resetHeartbeat();
        running.ctx.status(status, detail);
      },
      onActivity: () => this.#liveness.heartbeat(),
      signal: running.ctx.signal,
    });
  }

  /** The SDK's dispatcher, shared by both modes; the events the app may be subscribed to but not use are acked. */
  #dispatcher(running: Running): lark.EventDispatcher {
    const dispatcher = new lark.EventDispatcher({
      logger: larkLoggerFor(running.logger),
      loggerLevel: lark.LoggerLevel.warn,
    });
    const ignore = async () => undefined;
    return dispatcher.register({
      'im.message.receive_v1': async (data: unknown) => {
        running.intake.onMessage(data);
        return undefined;
      },
      'card.action.trigger': async (data: unknown) => running.intake.onCardAction(data),
      'im.message.reaction.created_v1': ignore,
      'im.message.reaction.deleted_v1': ignore,
      'im.message.message_read_v1': ignore,
      'im.chat.member.bot.added_v1': ignore,
      'im.chat.member.bot.deleted_v1': ignore,
    } as unknown as Parameters<lark.EventDispatcher['register']>[0]);
  }
}

export function createFeishuAdapter(config: FeishuConfigInput | FeishuConfig): FeishuAdapter {
  return new FeishuAdapter(config);
}
