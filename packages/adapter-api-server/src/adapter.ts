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
  hardenServer,
  type InboundMessage,
  LivenessTracker,
  type Logger,
  notConnectedResult,
  type OutboundMessage,
  type PlatformAdapter,
  type ProbeResult,
  type RequestFailure,
  type SendResult,
  serveForAdapter,
  serverAddress,
  silentLogger,
  type ToolProgressReport,
  type TurnUsage,
} from '@hermes/adapter-core';
import {
  API_SERVER_PLATFORM,
  type ApiServerConfig,
  type ApiServerConfigInput,
  parseApiServerConfig,
} from './config.js';
import {
  type ApiServerResponseStore,
  InMemoryResponseStore,
  responseScope,
} from './responses/response-store.js';
import { createHostPolicy } from './server/host-check.js';
import { assertBindAllowed, listen } from './server/listen.js';
import { sendApiError } from './server/openai-error.js';
import { failureToApiError } from './server/request-failure.js';
import { routeRequest } from './server/router.js';
import { type ApiRun, RunRegistry } from './server/run-registry.js';

const CAPABILITIES: Capabilities = {
  // One HTTP response carries the whole reply: the host must not split it.
  maxMessageLength: 10_000_000,
  lengthUnit: 'char',
  markdown: 'markdown',
  // Edits of the reply message become SSE deltas (see the README, "Streaming").
  edit: true,
  delete: false,
  typing: false,
  reactions: false,
  threads: false,
  media: { send: [], receive: [] },
  // reportUsage, reportToolProgress and failRequest exist: the host answers requests, not chats.
  requestReply: true,
};

export interface ApiServerAdapterOptions {
  /**
   * Where `POST /v1/responses` keeps responses for `GET /v1/responses/{id}` and `previous_response_id`.
   * Default: in memory (`maxStoredResponses`, `storedResponseMaxAgeMs`), forgotten on restart.
   */
  responseStore?: ApiServerResponseStore;
}

/**
 * An OpenAI-compatible HTTP API. Each `POST /v1/chat/completions` becomes an InboundMessage; the host's
 * `send()` to that chat answers the request, and `edit()` of the reply message streams it.
 */
export class ApiServerAdapter implements PlatformAdapter {
  readonly platform = API_SERVER_PLATFORM;
  readonly capabilities: Capabilities = CAPABILITIES;
  // #private, not TS `private`: the config holds the key, and a host may log or inspect the adapter object.
  readonly #config: ApiServerConfig;
  #server: Server | undefined;
  #logger: Logger = silentLogger;
  #detachAbort: (() => void) | undefined;
  #statusSink: ((status: 'offline') => void) | undefined;
  #stopping: Promise<void> | undefined;
  readonly #registry: RunRegistry;
  // Kept across start/stop of one adapter object; the default one starts empty in a new process.
  readonly #responses: ApiServerResponseStore;
  // No heartbeat interval: a server waiting for clients is idle, not stalled.
  readonly #liveness = new LivenessTracker();

  constructor(config: ApiServerConfigInput = {}, options: ApiServerAdapterOptions = {}) {
    this.#config = parseApiServerConfig(config);
    this.#responses =
      options.responseStore ??
      new InMemoryResponseStore({
        maxResponses: this.#config.maxStoredResponses,
        maxAgeMs: this.#config.storedResponseMaxAgeMs,
      });
    this.#registry = new RunRegistry({
      maxConcurrent: this.#config.maxConcurrentRuns,
      runTimeoutMs: this.#config.runTimeoutMs,
      onEnd: (run, reason) => this.#logger.debug('api_server run ended', { runId: run.id, reason }),
    });
  }

  /** The chat page (the OpenAI-compatible API is under its `/v1`), once listening. */
  publicUrl(): string | undefined {
    const url = this.address?.url;
    return url === undefined ? undefined : `${url}/`;
  }

  /** Where the server listens, once started (the real port when configured with port 0). */
  get address(): { host: string; port: number; url: string } | undefined {
    return serverAddress(this.#server);
  }

  /** Requests waiting for the host's answer. */
  get inFlight(): number {
    return this.#registry.inFlight;
  }

  async start(ctx: AdapterContext): Promise<void> {
    await this.#stopping;
    if (this.#server) {
      throw alreadyStartedError(this.platform, 'ApiServerAdapter');
    }
    if (ctx.signal.aborted)
      throw new AdapterError('aborted', 'the host is shutting down', { platform: this.platform });
    assertBindAllowed(this.#config);
    this.#logger = createRedactingLogger(ctx.logger.child({ platform: this.platform }), [this.#config.key]);
    ctx.status('connecting');
    const server = this.createHttpServer(ctx);
    this.#detachAbort = await serveForAdapter(server, ctx, {
      platform: this.platform,
      host: this.#config.host,
      port: this.#config.port,
      hostEnv: 'API_SERVER_HOST',
      portEnv: 'API_SERVER_PORT',
      onAbort: () => void this.stop(),
    });
    this.#server = server;
    if (this.#config.key === undefined) {
      const terminal = this.#config.allowTerminalWithoutKey
        ? 'the terminal tool is ON because API_SERVER_ALLOW_TERMINAL_WITHOUT_KEY=true'
        : 'its turns run without the terminal tool (set API_SERVER_KEY, or API_SERVER_ALLOW_TERMINAL_WITHOUT_KEY=true, to allow it)';
      this.#logger.warn(
        `api_server has no API_SERVER_KEY: any local process can use the agent; ${terminal}`,
        {
          host: this.#config.host,
          terminal: this.#config.allowTerminalWithoutKey,
        },
      );
    }
    // The chat page is what a person opens first.
    this.#logger.info('api_server listening', { url: this.address?.url, chatPage: `${this.address?.url}/` });
    this.#statusSink = (s) => ctx.status(s);
    ctx.status('online');
  }

  private createHttpServer(ctx: AdapterContext): Server {
    const deps = {
      config: this.#config,
      registry: this.#registry,
      logger: this.#logger,
      hostPolicy: createHostPolicy(this.#config),
      responses: this.#responses,
      responseScope: responseScope(this.#config.key),
      startedAt: Math.floor(Date.now() / 1000),
      dispatch: (message: InboundMessage) => {
        this.#liveness.inbound();
        ctx.receive(message);
      },
    };
    // Slow-loris bound: headers and body must arrive in time; the wait for the agent is bounded separately.
    const requestTimeout = this.#config.bodyTimeoutMs + 5000;
    const server = createServer(
      { requestTimeout, headersTimeout: Math.min(15_000, requestTimeout) },
      (req, res) => {
        routeRequest(req, res, deps).catch((error: unknown) => {
          this.#logger.error('api_server request failed', { error });
          sendApiError(res, {
            status: 500,
            type: 'server_error',
            code: 'internal_error',
            message: 'Internal error.',
          });
        });
      },
    );
    return hardenServer(server);
  }

  stop(): Promise<void> {
    const server = this.#server;
    // A second stop() while the first is closing waits for the same close.
    if (!server) return this.#stopping ?? Promise.resolve();
    this.#server = undefined;
    this.#detachAbort?.();
    this.#detachAbort = undefined;
    this.#registry.endAll('shutdown', {
      status: 503,
      type: 'server_error',
      code: 'server_shutting_down',
      message: 'The gateway is shutting down; retry later.',
    });
    // Answers already written (the 503s, the last 202) get a moment to flush before sockets are cut.
    this.#stopping = closeServer(server, 1000).then(() => {
      this.#stopping = undefined;
      this.#statusSink?.('offline');
      this.#statusSink = undefined;
    });
    return this.#stopping;
  }

  private noRun(chat: ChatRef): SendResult {
    return {
      ok: false,
      error: new AdapterError(
        'not_found',
        `no request is waiting for a reply in session ${chat.chatId} (answered, timed out, or the client left)`,
        { platform: this.platform, retryable: false },
      ),
    };
  }

  private runFor(chat: ChatRef): ApiRun | undefined {
    return this.#registry.get(chat.chatId);
  }

  /** The final reply of the turn: answers the waiting request (JSON body, or the rest of the stream). */
  async send(chat: ChatRef, msg: OutboundMessage): Promise<SendResult> {
    if (!this.#server)
      return notConnectedResult(this.platform, 'ApiServerAdapter', 'send', { retryable: false });
    const run = this.runFor(chat);
    if (!run) return this.noRun(chat);
    if (msg.media && msg.media.length > 0) {
      // Local files cannot travel in a chat completion; the caption text still does.
      this.#logger.warn('api_server cannot deliver media; sending the text only', {
        count: msg.media.length,
      });
    }
    const captions = (msg.media ?? []).map((m) => m.caption).filter((c): c is string => !!c);
    const text = [msg.text ?? '', ...captions].filter((t) => t !== '').join('\n\n');
    const outcome = run.writer.finish(text, run.usage);
    if (outcome === 'diverged') {
      this.#logger.warn('final reply does not extend the streamed text; the client keeps what was streamed', {
        runId: run.id,
      });
    }
    this.#registry.end(run, 'completed');
    this.#liveness.sent();
    return { ok: true, messageIds: [run.id] };
  }

  /**
   * The reply so far, for streaming: `messageId` is `request.replyMessageId` of the inbound message and
   * `text` the whole reply up to now. A streaming request gets the new part as a delta.
   */
  async edit(chat: ChatRef, messageId: string, text: string): Promise<SendResult> {
    if (!this.#server)
      return notConnectedResult(this.platform, 'ApiServerAdapter', 'edit', { retryable: false });
    const run = this.runFor(chat);
    if (!run || run.id !== messageId) return this.noRun(chat);
    if (run.writer.preview(text) === 'diverged') {
      this.#logger.warn('streamed preview does not extend the text already sent; skipped', { runId: run.id });
    }
    return { ok: true, messageIds: [run.id] };
  }

  /** Token usage for the running request of this chat; included in the response. False if nothing is waiting. */
  reportUsage(chat: ChatRef, usage: TurnUsage): boolean {
    const run = this.runFor(chat);
    if (!run) return false;
    run.usage = usage;
    return true;
  }

  /** A tool progress line, sent to streaming clients as an `event: hermes.tool.progress` SSE event. */
  reportToolProgress(chat: ChatRef, progress: ToolProgressReport): boolean {
    const run = this.runFor(chat);
    if (!run) return false;
    run.writer.toolProgress(progress);
    return true;
  }

  /**
   * Ends the waiting request with an error instead of an answer: an HTTP error status with the OpenAI
   * error body, or, once a stream has started, an in-band `data: {"error":...}` event and `[DONE]` (never a
   * `finish_reason: "stop"`, so a client cannot take the failure for a complete answer).
   */
  failRequest(chat: ChatRef, failure: RequestFailure): boolean {
    const run = this.runFor(chat);
    if (!run) return false;
    const error = failureToApiError(failure);
    this.#logger.info('api_server request failed by the host', { runId: run.id, code: failure.code });
    return this.#registry.end(run, 'failed', error);
  }

  /** Requests accepted and answered; no heartbeat, so the watchdog never calls an idle server stalled. */
  liveness(): AdapterLiveness {
    return this.#liveness.liveness();
  }

  /** Checks the bind rule and that the address is free, without serving anything. */
  async probe(): Promise<ProbeResult> {
    try {
      assertBindAllowed(this.#config);
      const server = createServer();
      await listen(server, this.#config.host, this.#config.port);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const auth = this.#config.key === undefined ? 'no key (loopback only)' : 'bearer key set';
      return { ok: true, detail: `can listen on ${this.#config.host}:${this.#config.port}, ${auth}` };
    } catch (error) {
      const adapterError =
        error instanceof AdapterError
          ? error
          : new AdapterError('unknown', String(error), { platform: this.platform });
      return adapterError.fix === undefined
        ? { ok: false, error: adapterError }
        : { ok: false, error: adapterError, fix: adapterError.fix };
    }
  }
}

export function createApiServerAdapter(
  config: ApiServerConfigInput = {},
  options: ApiServerAdapterOptions = {},
): ApiServerAdapter {
  return new ApiServerAdapter(config, options);
}
