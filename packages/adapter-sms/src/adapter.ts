import { createServer, type Server } from 'node:http';
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
  hardenServer,
  isLoopbackHost,
  LivenessTracker,
  type Logger,
  notConnectedResult,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  type SendPacer,
  type SendResult,
  serveForAdapter,
  serverAddress,
  TokenBucket,
  toAdapterError,
} from '@hermes/adapter-core';
import { parseSmsConfig, SMS_ENV, type SmsConfig, type SmsConfigInput } from './config.js';
import { SMS_CAPABILITIES } from './format.js';
import { mapSmsInbound } from './inbound.js';
import { sendSmsMessage } from './outbound.js';
import { OutboundMediaStore } from './outbound-media.js';
import { SmsTransport } from './transport.js';
import { DeliveryStatusBook, type SmsDeliveryStatus } from './webhook/delivery-status.js';
import { publicBase } from './webhook/public-url.js';
import { routeSmsRequest } from './webhook/router.js';
import { respondText } from './webhook/twiml.js';

const PLATFORM = 'sms';

/** Everything that exists only between start() and stop(). */
interface Running {
  ctx: AdapterContext;
  logger: Logger;
  server: Server;
  transport: SmsTransport;
  pacer: SendPacer;
  media: OutboundMediaStore;
  detach: () => void;
}

export interface SmsAdapterOptions {
  /** Clock in milliseconds (tests): drives the MessageSid memory and served-media expiry. */
  now?: () => number;
}

/**
 * SMS and MMS through Twilio: Twilio posts each incoming message to the adapter's webhook server, which
 * checks the signature, answers with empty TwiML at once and hands the message to the host; replies go
 * out through the REST API (Messages.json) with the official SDK.
 */
export class SmsAdapter implements PlatformAdapter {
  readonly platform = PLATFORM;
  readonly capabilities: Capabilities = SMS_CAPABILITIES;
  // #private: the config holds the auth token, and nothing public may expose it (the conformance suite checks).
  readonly #config: SmsConfig;
  readonly #now: () => number;
  readonly #seen: DedupeCache;
  readonly #statuses: DeliveryStatusBook;
  // No heartbeat: a server waiting for Twilio is idle, not stalled.
  readonly #liveness = new LivenessTracker();
  #running: Running | undefined;
  #starting = false;
  #stopping: Promise<void> | undefined;

  constructor(config: SmsConfigInput, options: SmsAdapterOptions = {}) {
    this.#config = parseSmsConfig(config);
    this.#now = options.now ?? Date.now;
    // Kept across stop/start: a retry that arrives after a restart of the adapter is still recognised.
    this.#seen = new DedupeCache({
      ttlMs: this.#config.dedupeTtlMs,
      maxEntries: this.#config.dedupeMaxEntries,
      now: this.#now,
    });
    this.#statuses = new DeliveryStatusBook(this.#now);
  }

  /** Where the webhook server listens (the real port when configured with port 0). */
  get address(): { host: string; port: number; url: string } | undefined {
    return serverAddress(this.#running?.server);
  }

  /** The last delivery status Twilio reported for a message this adapter sent (status callbacks). */
  deliveryStatus(messageSid: string): SmsDeliveryStatus | undefined {
    return this.#statuses.get(messageSid);
  }

  liveness(): AdapterLiveness {
    return this.#liveness.liveness();
  }

  async start(ctx: AdapterContext): Promise<void> {
    await this.#stopping;
    if (this.#running || this.#starting) {
      throw alreadyStartedError(PLATFORM, 'SmsAdapter');
    }
    if (ctx.signal.aborted)
      throw new AdapterError('aborted', 'the host is shutting down', { platform: PLATFORM });
    this.#starting = true;
    try {
      await this.#start(ctx);
    } finally {
      this.#starting = false;
    }
  }

  async #start(ctx: AdapterContext): Promise<void> {
    const config = this.#config;
    const logger = createRedactingLogger(ctx.logger.child({ platform: PLATFORM }), [config.authToken]);
    ctx.status('connecting');
    if (config.webhookUrl === undefined && !isLoopbackHost(config.webhookHost)) {
      logger.warn(
        `${SMS_ENV.webhookUrl} is not set: signatures are checked against the URL in each request's Host header; set it to the public URL Twilio posts to`,
      );
    }
    const base = publicBase(config.webhookUrl);
    const media = new OutboundMediaStore({
      publicBase: base,
      ttlMs: config.outboundMediaTtlMs,
      maxBytes: config.maxOutboundMediaBytes,
      cache: ctx.mediaCache,
      now: this.#now,
    });
    const transport = new SmsTransport(config);
    const pacer = createSendPacer({ logger, retry: { label: 'twilio messages.create', logger } });
    const server = this.#createServer(ctx, logger, media);
    let detach: () => void;
    try {
      detach = await serveForAdapter(server, ctx, {
        platform: PLATFORM,
        host: config.webhookHost,
        port: config.webhookPort,
        hostEnv: SMS_ENV.webhookHost,
        portEnv: SMS_ENV.webhookPort,
        onAbort: () => void this.stop(),
      });
    } catch (error) {
      transport.close();
      pacer.close();
      throw toAdapterError(error, PLATFORM);
    }
    this.#running = { ctx, logger, server, transport, pacer, media, detach };
    logger.info('Twilio webhook server listening', {
      url: this.address?.url,
      path: '/webhooks/twilio',
      publicUrl: config.webhookUrl,
    });
    ctx.status('online');
  }

  #createServer(ctx: AdapterContext, logger: Logger, media: OutboundMediaStore): Server {
    const config = this.#config;
    const requestTimeout = config.bodyTimeoutMs + 5000;
    const refusalLog = new TokenBucket({ capacity: 30, refillPerSecond: 0.5, now: this.#now });
    const authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;
    const server = createServer(
      { requestTimeout, headersTimeout: Math.min(15_000, requestTimeout) },
      (req, res) => {
        routeSmsRequest(req, res, {
          config,
          logger,
          seen: this.#seen,
          refusalLog,
          statuses: this.#statuses,
          media,
          mapInbound: (params) =>
            mapSmsInbound(params, {
              ownNumber: config.phoneNumber,
              media: {
                cache: ctx.mediaCache,
                maxBytes: config.maxMediaBytes,
                allowPrivate: config.allowPrivateMedia,
                apiOrigin: new URL(config.apiBase).origin,
                authorization,
              },
              now: () => new Date(this.#now()),
            }),
          dispatch: (message) => {
            ctx.receive(message);
            this.#liveness.inbound();
          },
        }).catch((error: unknown) => {
          logger.error('Twilio webhook failed', {
            error: error instanceof Error ? error.message : String(error),
          });
          respondText(res, 500, 'internal error');
        });
      },
    );
    return hardenServer(server);
  }

  stop(): Promise<void> {
    const running = this.#running;
    if (!running) return this.#stopping ?? Promise.resolve();
    this.#running = undefined;
    running.pacer.close();
    // Answers already written get a moment to flush before sockets are cut.
    this.#stopping = closeServer(running.server, 1000).then(() => {
      running.transport.close();
      running.detach();
      running.ctx.status('offline');
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  async send(chat: ChatRef, message: OutboundMessage): Promise<SendResult> {
    const running = this.#running;
    if (!running) {
      return notConnectedResult(PLATFORM, 'SmsAdapter', 'send');
    }
    const base = publicBase(this.#config.webhookUrl);
    const result = await sendSmsMessage(
      {
        transport: running.transport,
        pacer: running.pacer,
        media: running.media,
        logger: running.logger,
        statusCallback: base === undefined ? undefined : `${base}/status`,
      },
      chat,
      message,
    );
    if (result.ok) this.#liveness.sent();
    return result;
  }

  /** Checks the account credentials with one REST call (GET Accounts/{sid}.json), without starting. */
  async probe(): Promise<ProbeResult> {
    const transport = new SmsTransport(this.#config);
    try {
      const me = await transport.whoAmI();
      if (me.status !== undefined && me.status !== 'active') {
        const error = new AdapterError('forbidden', `the Twilio account is ${me.status}`, {
          platform: PLATFORM,
          fix: 'Reactivate the account in the Twilio console.',
        });
        return { ok: false, error, fix: error.fix! };
      }
      return {
        ok: true,
        identity: me.friendlyName ?? me.accountSid,
        detail: `sending from ${this.#config.phoneNumber}`,
      };
    } catch (error) {
      const adapterError = toAdapterError(error, PLATFORM);
      return adapterError.fix === undefined
        ? { ok: false, error: adapterError }
        : { ok: false, error: adapterError, fix: adapterError.fix };
    } finally {
      transport.close();
    }
  }
}

/** Validates the config (throws AdapterError 'config_invalid' naming the key and env var) and builds the adapter. */
export function createSmsAdapter(config: SmsConfigInput, options: SmsAdapterOptions = {}): SmsAdapter {
  return new SmsAdapter(config, options);
}
