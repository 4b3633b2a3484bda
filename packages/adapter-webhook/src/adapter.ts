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
  DedupeCache,
  FailedAuthLimiter,
  hardenServer,
  LivenessTracker,
  type Logger,
  notConnectedResult,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  type SendResult,
  serveForAdapter,
  serverAddress,
  silentLogger,
  TokenBucket,
} from '@hermes/adapter-core';
import {
  parseWebhookConfig,
  WEBHOOK_PLATFORM,
  type WebhookConfig,
  type WebhookConfigInput,
} from './config.js';
import { listen } from './server/listen.js';
import { respond } from './server/respond.js';
import { routeWebhookRequest } from './server/router.js';
import { type ResolvedRoute, resolveRoutes } from './server/routes.js';

const CAPABILITIES: Capabilities = {
  // Replies go to the log (deliver: log); nothing limits their length.
  maxMessageLength: 1_000_000,
  lengthUnit: 'char',
  markdown: 'markdown',
  edit: false,
  delete: false,
  typing: false,
  reactions: false,
  threads: false,
  media: { send: [], receive: [] },
};

export interface WebhookAdapterOptions {
  /** Clock in milliseconds, for the timestamp window and the redelivery memory (tests). */
  now?: () => number;
}

/**
 * Receives webhooks on `POST /webhooks/<route>`, verifies them, and hands each event to the host as a
 * prompt. The host delivers the agent's answer to `InboundMessage.deliverTo`; without one, `send()` to
 * the event's own chat writes it to the log, which is what `deliver: log` means.
 */
export class WebhookAdapter implements PlatformAdapter {
  readonly platform = WEBHOOK_PLATFORM;
  readonly capabilities: Capabilities = CAPABILITIES;
  // #private, not TS `private`: the config holds the secrets, and a host may log or inspect the adapter object.
  readonly #config: WebhookConfig;
  readonly #now: () => number;
  readonly #seen: DedupeCache;
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #failedAuth: FailedAuthLimiter;
  #server: Server | undefined;
  #stopping: Promise<void> | undefined;
  #logger: Logger = silentLogger;
  #detach: (() => void) | undefined;
  #sentCount = 0;
  // No heartbeat interval: a server waiting for senders is idle, not stalled.
  readonly #liveness = new LivenessTracker();

  constructor(config: WebhookConfigInput = {}, options: WebhookAdapterOptions = {}) {
    this.#config = parseWebhookConfig(config);
    this.#now = options.now ?? Date.now;
    // Kept across stop/start, so a restart of the adapter does not forget recent deliveries.
    this.#seen = new DedupeCache({
      ttlMs: this.#config.idempotencyTtlMs,
      maxEntries: this.#config.idempotencyMaxEntries,
      now: this.#now,
    });
    this.#failedAuth = new FailedAuthLimiter({
      perMinute: this.#config.authFailuresPerMinute,
      now: this.#now,
    });
  }

  /** Where senders POST (`…/webhooks/<route>`), once listening. */
  publicUrl(): string | undefined {
    const url = this.address?.url;
    return url === undefined ? undefined : `${url}/webhooks/<route>`;
  }

  get address(): { host: string; port: number; url: string } | undefined {
    return serverAddress(this.#server);
  }

  /** Delivery ids remembered for idempotency, for a host that persists them across restarts. */
  get deliveryMemory(): DedupeCache {
    return this.#seen;
  }

  private bucketFor(route: string): TokenBucket {
    let bucket = this.#buckets.get(route);
    if (!bucket) {
      const perMinute = this.#config.rateLimitPerMinute;
      bucket = new TokenBucket({ capacity: perMinute, refillPerSecond: perMinute / 60, now: this.#now });
      this.#buckets.set(route, bucket);
    }
    return bucket;
  }

  private secrets(): string[] {
    return [this.#config.secret, ...Object.values(this.#config.routes).map((r) => r.secret)].filter(
      (s): s is string => s !== undefined,
    );
  }

  async start(ctx: AdapterContext): Promise<void> {
    await this.#stopping;
    if (this.#server) throw alreadyStartedError(this.platform, 'WebhookAdapter');
    if (ctx.signal.aborted)
      throw new AdapterError('aborted', 'the host is shutting down', { platform: this.platform });
    const routes = resolveRoutes(this.#config);
    this.#logger = createRedactingLogger(ctx.logger.child({ platform: this.platform }), this.secrets());
    ctx.status('connecting');
    const server = this.createServer(ctx, routes);
    const detachAbort = await serveForAdapter(server, ctx, {
      platform: this.platform,
      host: this.#config.host,
      port: this.#config.port,
      hostEnv: 'WEBHOOK_HOST',
      portEnv: 'WEBHOOK_PORT',
      onAbort: () => void this.stop(),
    });
    this.#server = server;
    const statusOffline = () => ctx.status('offline');
    this.#detach = () => {
      detachAbort();
      statusOffline();
    };
    this.#logger.info('webhook server listening', { url: this.address?.url, routes: [...routes.keys()] });
    ctx.status('online');
  }

  private createServer(ctx: AdapterContext, routes: Map<string, ResolvedRoute>): Server {
    // Slow-loris bounds: headers within 15 s, the whole request within the body timeout and a margin.
    const requestTimeout = this.#config.bodyTimeoutMs + 5000;
    const server = createServer(
      { requestTimeout, headersTimeout: Math.min(15_000, requestTimeout) },
      (req, res) => {
        routeWebhookRequest(req, res, {
          config: this.#config,
          routes,
          logger: this.#logger,
          seen: this.#seen,
          bucketFor: (route) => this.bucketFor(route),
          failedAuth: this.#failedAuth,
          dispatch: (message) => {
            this.#liveness.inbound();
            ctx.receive(message);
          },
          nowSeconds: () => Math.floor(this.#now() / 1000),
        }).catch((error: unknown) => {
          this.#logger.error('webhook request failed', { error });
          respond(res, 500, { error: 'internal error' });
        });
      },
    );
    return hardenServer(server);
  }

  stop(): Promise<void> {
    const server = this.#server;
    if (!server) return this.#stopping ?? Promise.resolve();
    this.#server = undefined;
    const detach = this.#detach;
    this.#detach = undefined;
    // Answers already written (the 503s, the last 202) get a moment to flush before sockets are cut.
    this.#stopping = closeServer(server, 1000).then(() => {
      this.#stopping = undefined;
      detach?.();
    });
    return this.#stopping;
  }

  /**
   * The agent's answer to an event whose route delivers to `log`: written to the log. A host routes
   * answers for `<platform>:<chat>` targets to that platform instead and never calls this.
   */
  async send(chat: ChatRef, msg: OutboundMessage): Promise<SendResult> {
    if (!this.#server) {
      return notConnectedResult(this.platform, 'WebhookAdapter', 'send', { retryable: false });
    }
    this.#sentCount += 1;
    const id = `log-${this.#sentCount}`;
    this.#logger.info('webhook reply (deliver: log)', {
      chatId: chat.chatId,
      messageId: id,
      text: msg.text ?? '',
    });
    this.#liveness.sent();
    return { ok: true, messageIds: [id] };
  }

  /** Events accepted and answers written; no heartbeat, so the watchdog never calls an idle server stalled. */
  liveness(): AdapterLiveness {
    return this.#liveness.liveness();
  }

  /** Validates the routes and the bind rule, and checks the port is free. */
  async probe(): Promise<ProbeResult> {
    try {
      const routes = resolveRoutes(this.#config);
      const server = createServer();
      await listen(server, this.#config.host, this.#config.port);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return {
        ok: true,
        detail: `${routes.size} route(s); can listen on ${this.#config.host}:${this.#config.port}`,
      };
    } catch (error) {
      const e =
        error instanceof AdapterError
          ? error
          : new AdapterError('unknown', String(error), { platform: this.platform });
      return e.fix === undefined ? { ok: false, error: e } : { ok: false, error: e, fix: e.fix };
    }
  }
}

export function createWebhookAdapter(
  config: WebhookConfigInput = {},
  options: WebhookAdapterOptions = {},
): WebhookAdapter {
  return new WebhookAdapter(config, options);
}
