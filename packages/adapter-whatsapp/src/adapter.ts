import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import {
  type AdapterContext,
  AdapterError,
  type AdapterLiveness,
  alreadyStartedError,
  type Capabilities,
  type ChatRef,
  closeServer,
  createRedactingLogger,
  createSendPacer,
  DedupeCache,
  isLoopbackHost,
  LivenessTracker,
  type Logger,
  notConnectedError,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  RecentMap,
  type SendPacer,
  type SendResult,
  serveForAdapter,
  serverAddress,
  toAdapterError,
} from '@hermes/adapter-core';
import {
  parseWhatsappConfig,
  WHATSAPP_ENV,
  type WhatsappConfig,
  type WhatsappConfigInput,
} from './config.js';
import { CustomerWindows } from './customer-window.js';
import { WHATSAPP_CAPABILITIES } from './format.js';
import { WhatsappGraphClient } from './graph/graph-client.js';
import { outsideWindowError } from './graph/graph-errors.js';
import { type DeliveryStatus, handleWhatsappBatch } from './intake.js';
import { type OutboundDeps, paced, recipientOf, sendWhatsappMessage } from './outbound.js';
import { readWhatsappState, whatsappStatePath, writeWhatsappState } from './state/state-file.js';
import { digitsOf } from './user-id.js';
import { createWhatsappWebhookServer } from './webhook/server.js';

const PLATFORM = 'whatsapp';
/** Newest handled message ids kept in the state file (the in-memory cache holds more). */
const PERSISTED_SEEN = 5_000;
const STATE_WRITE_DELAY_MS = 1_000;

/** Everything that exists only between start() and stop(). */
interface Running {
  ctx: AdapterContext;
  logger: Logger;
  server: Server;
  graph: WhatsappGraphClient;
  pacer: SendPacer;
  outbound: OutboundDeps;
  stop: AbortController;
  statePath: string;
  detach: () => void;
}

/**
 * The identity call is `GET /<phone-number-id>`: a refusal other than throttling or an outage means the
 * token or the id is wrong, and no retry will change that, so start() fails on it.
 */
function credentialProblem(error: AdapterError): AdapterError | undefined {
  if (error.code === 'auth_failed' || error.code === 'forbidden') return error;
  if (error.code === 'not_found' || error.code === 'bad_request') {
    return new AdapterError(
      'config_invalid',
      `the Graph API does not know this phone number ID: ${error.message}`,
      {
        platform: PLATFORM,
        cause: error,
        fix: `Set ${WHATSAPP_ENV.phoneNumberId} to the phone number ID shown in WhatsApp Manager → API Setup (not the phone number), and check ${WHATSAPP_ENV.graphApiBase}.`,
      },
    );
  }
  return undefined;
}

/**
 * The WhatsApp Cloud API adapter: Meta's signed webhooks in through a hardened HTTP server, the Graph API
 * out. Button presses come back as InboundActions; the 24-hour customer-service window is tracked per
 * user (and kept across restarts) so a proactive message outside it uses the configured template.
 */
export class WhatsappAdapter implements PlatformAdapter {
  readonly platform = PLATFORM;
  readonly capabilities: Capabilities = WHATSAPP_CAPABILITIES;
  // #private: the config holds the access token and the app secret, and nothing public may expose them.
  readonly #config: WhatsappConfig;
  // No heartbeat: a webhook server waiting for Meta is idle, not stalled.
  readonly #liveness = new LivenessTracker();
  // Kept across stop/start (and saved to disk): Meta retries a delivery for days.
  readonly #seen = new DedupeCache({ maxEntries: 20_000, ttlMs: 24 * 60 * 60 * 1000 });
  readonly #windows = new CustomerWindows();
  readonly #statuses = new RecentMap<DeliveryStatus>(10_000);
  readonly #settled = new RecentMap<string>(2_000);
  /** Newest inbound message per chat: the typing indicator is tied to one. */
  readonly #lastInbound = new RecentMap<string>(10_000);
  #botNumber: string | undefined;
  #running: Running | undefined;
  #stopping: Promise<void> | undefined;
  #stateTimer: NodeJS.Timeout | undefined;

  constructor(config: WhatsappConfigInput) {
    this.#config = parseWhatsappConfig(config);
  }

  /** Where Meta must send webhooks while running, e.g. `http://127.0.0.1:8090/whatsapp/webhook`. */
  get webhookUrl(): string | undefined {
    const address = serverAddress(this.#running?.server);
    return address === undefined ? undefined : `${address.url}${this.#config.webhookPath}`;
  }

  /** The last delivery status Meta reported for a message the bot sent (sent, delivered, read, failed). */
  deliveryStatus(messageId: string): DeliveryStatus | undefined {
    return this.#statuses.get(messageId);
  }

  /** Whether a free-form message may be sent to this user now (they wrote within 24 hours). */
  customerWindowOpen(userId: string): boolean {
    return this.#windows.isOpen(userId);
  }

  liveness(): AdapterLiveness {
    return this.#liveness.liveness();
  }

  async start(ctx: AdapterContext): Promise<void> {
    await this.#stopping;
    if (this.#running) {
      throw alreadyStartedError(PLATFORM, 'WhatsappAdapter');
    }
    if (ctx.signal.aborted)
      throw new AdapterError('aborted', 'the host is shutting down', { platform: PLATFORM });
    const config = this.#config;
    if (config.appSecret === undefined && !isLoopbackHost(config.webhookHost)) {
      throw new AdapterError(
        'config_invalid',
        `refusing to listen on ${config.webhookHost} without ${WHATSAPP_ENV.appSecret}: anyone could forge webhooks`,
        {
          platform: PLATFORM,
          fix: `Set ${WHATSAPP_ENV.appSecret} (Meta app → Settings → Basic → App secret), or bind ${WHATSAPP_ENV.webhookHost}=127.0.0.1.`,
        },
      );
    }
    const secrets = [config.accessToken, config.verifyToken, config.appSecret].filter((s) => s !== undefined);
    const logger = createRedactingLogger(ctx.logger.child({ platform: PLATFORM }), secrets);
    if (config.appSecret === undefined) {
      logger.warn(`${WHATSAPP_ENV.appSecret} is not set: webhooks are accepted unsigned (loopback only)`);
    }
    ctx.status('connecting');
    const stop = new AbortController();
    const graph = new WhatsappGraphClient({
      base: config.graphApiBase,
      accessToken: config.accessToken,
      phoneNumberId: config.phoneNumberId,
      timeoutMs: config.requestTimeoutMs,
      signal: stop.signal,
    });
    await this.#identify(graph, logger, ctx);
    const statePath = whatsappStatePath(config.stateDir ?? join(dirname(ctx.mediaCache.dir), PLATFORM));
    const state = readWhatsappState(statePath, logger);
    this.#windows.import(state.windows);
    this.#seen.import(state.seen);
    // Meta: 80 messages/s per business number by default; about one message every 6 s per user after a
    // short burst (the pair rate limit).
    const pacer = createSendPacer({
      logger,
      perChat: { capacity: 10, refillPerSecond: 1 / 6 },
      global: { capacity: Math.ceil(config.messagesPerSecond), refillPerSecond: config.messagesPerSecond },
      retry: { maxAttempts: 4, signal: stop.signal },
    });
    const outbound: OutboundDeps = { graph, pacer, windows: this.#windows, config, logger };
    const server = createWhatsappWebhookServer({
      config,
      logger,
      onBatch: (batch) =>
        handleWhatsappBatch(batch, {
          ctx,
          logger,
          graph,
          botNumber: this.#botNumber,
          seen: this.#seen,
          windows: this.#windows,
          statuses: this.#statuses,
          settled: this.#settled,
          lastInbound: this.#lastInbound,
          deliverReactions: config.deliverReactions,
          mediaMaxBytes: config.maxMediaBytes,
          allowPrivateMedia: config.allowPrivateMedia,
          liveness: this.#liveness,
          resendOutcome: (chat, messageId, outcome) =>
            void this.send(chat, { text: outcome, replyTo: messageId }),
          changed: () => this.#scheduleStateWrite(),
        }),
    });
    const detach = await serveForAdapter(server, ctx, {
      platform: PLATFORM,
      host: config.webhookHost,
      port: config.webhookPort,
      hostEnv: WHATSAPP_ENV.webhookHost,
      portEnv: WHATSAPP_ENV.webhookPort,
      onAbort: () => void this.stop(),
    }).catch((error: unknown) => {
      pacer.close();
      stop.abort();
      throw error;
    });
    this.#running = { ctx, logger, server, graph, pacer, outbound, stop, statePath, detach };
    this.#liveness.resetHeartbeat();
    logger.info('WhatsApp webhook listening', { url: this.webhookUrl });
    ctx.status('online');
  }

  /** Learns the business number (to drop echoes, to see mentions); wrong credentials fail start(). */
  async #identify(graph: WhatsappGraphClient, logger: Logger, ctx: AdapterContext): Promise<void> {
    try {
      const phone = await graph.phoneNumber(AbortSignal.timeout(10_000));
      if (phone.displayPhoneNumber !== undefined) this.#botNumber = digitsOf(phone.displayPhoneNumber);
    } catch (error) {
      const adapterError = toAdapterError(error, PLATFORM);
      const fatal = credentialProblem(adapterError);
      if (fatal !== undefined) {
        ctx.status('failed', fatal.message);
        throw fatal;
      }
      // Graph unreachable for now: webhooks can still arrive, and sends are retried when they happen.
      logger.warn('could not reach the Graph API at start; going on', { error: adapterError.describe() });
    }
  }

  stop(): Promise<void> {
    const running = this.#running;
    if (!running) return this.#stopping ?? Promise.resolve();
    this.#running = undefined;
    running.pacer.close();
    running.stop.abort();
    this.#writeState(running);
    this.#stopping = closeServer(running.server, 1_000).then(() => {
      this.#stopping = undefined;
      running.detach();
      running.ctx.status('offline');
    });
    return this.#stopping;
  }

  async send(chat: ChatRef, message: OutboundMessage): Promise<SendResult> {
    const running = this.#running;
    if (!running) return { ok: false, error: notConnected('send') };
    const result = await sendWhatsappMessage(running.outbound, chat, message);
    if (result.ok) this.#liveness.sent();
    return result;
  }

  /** Reacts to a message; an empty emoji removes the bot's reaction. */
  async react(chat: ChatRef, messageId: string, emoji: string): Promise<void> {
    const running = this.#running;
    if (!running) throw notConnected('react');
    const recipient = recipientOf(chat);
    if (recipient.recipient_type === 'individual' && !this.#windows.isOpen(recipient.to)) {
      throw outsideWindowError(
        `cannot react in ${recipient.to}: the user has not written in the last 24 hours`,
      );
    }
    await paced(running.outbound, chat, () =>
      running.graph.sendMessage({
        ...recipient,
        type: 'reaction',
        reaction: { message_id: messageId, emoji },
      }),
    );
    this.#liveness.sent();
  }

  /**
   * Marks the chat's newest message read and shows "typing…" (Meta hides it after 25 s or at the reply).
   * Cosmetic: without an inbound message to attach it to, or when Meta refuses, it only logs.
   */
  async typing(chat: ChatRef): Promise<void> {
    const running = this.#running;
    if (!running) throw notConnected('typing');
    const messageId = this.#lastInbound.get(chat.chatId);
    if (messageId === undefined) {
      running.logger.debug('no inbound message to show typing on', { chatId: chat.chatId });
      return;
    }
    try {
      await running.graph.markRead(messageId, true);
    } catch (error) {
      running.logger.warn('WhatsApp typing indicator failed', {
        error: toAdapterError(error, PLATFORM).describe(),
      });
    }
  }

  /**
   * WhatsApp cannot take buttons off a sent message, so the outcome is sent as a reply to it, and later
   * presses on it get the outcome again instead of reaching the host.
   */
  async settleActions(chat: ChatRef, messageId: string, outcome: string): Promise<SendResult> {
    this.#settled.set(messageId, outcome);
    return this.send(chat, { text: outcome, replyTo: messageId });
  }

  /** Checks the token and the phone number id with one Graph call, without starting. */
  async probe(): Promise<ProbeResult> {
    const graph = new WhatsappGraphClient({
      base: this.#config.graphApiBase,
      accessToken: this.#config.accessToken,
      phoneNumberId: this.#config.phoneNumberId,
      timeoutMs: this.#config.requestTimeoutMs,
    });
    try {
      const phone = await graph.phoneNumber(AbortSignal.timeout(10_000));
      return {
        ok: true,
        identity: phone.verifiedName ?? phone.displayPhoneNumber ?? phone.id,
        detail: `webhook on ${this.#config.webhookHost}:${this.#config.webhookPort}${this.#config.webhookPath}`,
      };
    } catch (error) {
      const adapterError = toAdapterError(error, PLATFORM);
      return adapterError.fix === undefined
        ? { ok: false, error: adapterError }
        : { ok: false, error: adapterError, fix: adapterError.fix };
    }
  }

  #scheduleStateWrite(): void {
    if (this.#stateTimer !== undefined) return;
    this.#stateTimer = setTimeout(() => {
      this.#stateTimer = undefined;
      if (this.#running) this.#writeState(this.#running);
    }, STATE_WRITE_DELAY_MS);
    this.#stateTimer.unref();
  }

  #writeState(running: Running): void {
    if (this.#stateTimer !== undefined) {
      clearTimeout(this.#stateTimer);
      this.#stateTimer = undefined;
    }
    try {
      writeWhatsappState(running.statePath, {
        windows: this.#windows.export(),
        seen: this.#seen.export().slice(-PERSISTED_SEEN),
      });
    } catch (error) {
      running.logger.error('could not save the WhatsApp state file', {
        file: running.statePath,
        error: (error as Error).message,
      });
    }
  }
}

function notConnected(what: string): AdapterError {
  return notConnectedError(PLATFORM, 'WhatsappAdapter', what, { retryable: false });
}

/** Validates the config (throws AdapterError 'config_invalid' naming the variable) and builds the adapter. */
export function createWhatsappAdapter(config: WhatsappConfigInput): WhatsappAdapter {
  return new WhatsappAdapter(config);
}
