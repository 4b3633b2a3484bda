import {
  type AdapterContext,
  AdapterError,
  type AdapterLiveness,
  alreadyStartedError,
  type Capabilities,
  type ChatRef,
  ConnectionSupervisor,
  createSendPacer,
  DedupeCache,
  isLoopbackHost,
  LivenessTracker,
  type Logger,
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
import { parseSignalConfig, type SignalConfig, type SignalConfigInput } from './config.js';
import { SIGNAL_PLATFORM } from './constants.js';
import { SIGNAL_CAPABILITIES } from './format.js';
import { mapSignalInbound } from './inbound.js';
import type { SignalSelf } from './mentions.js';
import { parseSignalMessageId } from './message-id.js';
import { sendSignalMessage } from './outbound.js';
import { SignalTransport } from './transport.js';
import { bareGroupId, normalizeSignalUserId } from './user-id.js';

/** Everything that exists only between start() and stop(). */
interface Running {
  ctx: AdapterContext;
  logger: Logger;
  transport: SignalTransport;
  supervisor: ConnectionSupervisor;
  pacer: SendPacer;
  dedupe: DedupeCache;
  /** Cancels the background lookup of our own service id. */
  lookups: AbortController;
}

/** Counters for tests and `hermes status`: what the adapter dropped and why. */
export interface SignalAdapterStats {
  received: number;
  duplicates: number;
  ignored: number;
  malformed: number;
}

/**
 * The Signal adapter over a signal-cli daemon in HTTP mode: events in over SSE (reconnected by core's
 * supervisor, 2 → 60 s with 20 % jitter; a silent stream is reconnected after 120 s), messages, typing and
 * reactions out over JSON-RPC.
 */
export class SignalAdapter implements PlatformAdapter {
  readonly platform = SIGNAL_PLATFORM;
  readonly capabilities: Capabilities = SIGNAL_CAPABILITIES;
  readonly #config: SignalConfig;
  readonly #self: SignalSelf;
  readonly #groups: ReadonlySet<string>;
  /** Authors of recent messages by timestamp, for a replyTo or react() given a bare timestamp. */
  readonly #authors = new RecentMap<string>(2_000);
  readonly #stats: SignalAdapterStats = { received: 0, duplicates: 0, ignored: 0, malformed: 0 };
  // The health check runs this often while connected and counts as the platform's sign of life.
  readonly #liveness: LivenessTracker;
  #running: Running | undefined;

  constructor(config: SignalConfigInput) {
    this.#config = parseSignalConfig(config);
    this.#self = { number: normalizeSignalUserId(this.#config.account), uuid: this.#config.accountUuid };
    this.#groups = new Set(this.#config.groupAllowedUsers.map(bareGroupId));
    this.#liveness = new LivenessTracker(this.#config.healthCheckIntervalMs);
  }

  liveness(): AdapterLiveness {
    return this.#liveness.liveness();
  }

  stats(): SignalAdapterStats {
    return { ...this.#stats };
  }

  async start(ctx: AdapterContext): Promise<void> {
    if (this.#running) {
      throw alreadyStartedError(SIGNAL_PLATFORM, 'SignalAdapter');
    }
    const logger = ctx.logger.child({ platform: SIGNAL_PLATFORM });
    this.#warnIfExposed(logger);
    const transport = new SignalTransport({
      config: this.#config,
      logger,
      onData: (data) => this.#onData(data),
      onActivity: () => this.#running?.supervisor.markActivity(),
      onHealthy: () => this.#liveness.heartbeat(),
    });
    const supervisor = new ConnectionSupervisor({
      name: SIGNAL_PLATFORM,
      logger,
      connect: (signal) => transport.connect(signal),
      backoff: {
        kind: 'exponential',
        initialMs: this.#config.reconnectInitialMs,
        maxMs: this.#config.reconnectMaxMs,
        factor: 2,
        jitter: 0.2,
      },
      staleAfterMs: this.#config.staleAfterMs,
      onActivity: () => this.#liveness.heartbeat(),
      onStatus: (status, detail) => {
        // A new stream starts its own clock; the silence of the old one is not held against it.
        if (status === 'online') this.#liveness.resetHeartbeat();
        ctx.status(status, detail);
      },
      signal: ctx.signal,
    });
    const running: Running = {
      ctx,
      logger,
      transport,
      supervisor,
      pacer: createSendPacer({ retry: { logger, label: 'signal send' }, logger }),
      dedupe: new DedupeCache({ maxEntries: 5_000, ttlMs: 3_600_000 }),
      lookups: new AbortController(),
    };
    this.#running = running;
    this.#liveness.resetHeartbeat();
    try {
      await supervisor.start();
    } catch (error) {
      await this.stop();
      throw toAdapterError(error, SIGNAL_PLATFORM);
    }
    if (this.#self.uuid === undefined) void this.#learnOwnUuid(running);
  }

  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    running.lookups.abort();
    await running.supervisor.stop();
    running.pacer.close();
  }

  async send(chat: ChatRef, message: OutboundMessage): Promise<SendResult> {
    const running = this.#running;
    if (!running) {
      return notConnectedResult(SIGNAL_PLATFORM, 'SignalAdapter', 'send');
    }
    const result = await sendSignalMessage(
      {
        transport: running.transport,
        pacer: running.pacer,
        config: this.#config,
        logger: running.logger,
        authorOf: (timestamp) => this.#authors.get(String(timestamp)),
      },
      chat,
      message,
    );
    if (result.ok) this.#liveness.sent();
    return result;
  }

  /** Shows "typing…" in the chat for about 15 s (Signal's own timeout) or until the next message. */
  async typing(chat: ChatRef): Promise<void> {
    const running = this.#requireRunning('typing');
    await running.transport.sendTyping(chat.chatId);
  }

  /** Reacts to a message by its id (`<timestamp>@<author>`, as the adapter hands them out). */
  async react(chat: ChatRef, messageId: string, emoji: string): Promise<void> {
    const running = this.#requireRunning('react');
    const ref = parseSignalMessageId(messageId);
    const author = ref ? (ref.author ?? this.#authors.get(String(ref.timestamp))) : undefined;
    if (!ref || author === undefined) {
      throw new AdapterError('bad_request', `cannot react to "${messageId}": not a Signal message id`, {
        platform: SIGNAL_PLATFORM,
        fix: 'Pass the id of a message this adapter received or sent (<timestamp>@<author>).',
      });
    }
    await running.pacer.run(chat.chatId, () =>
      running.transport.sendReaction(chat.chatId, emoji, author, ref.timestamp),
    );
  }

  /** Checks that the daemon answers and knows the account, without starting. */
  async probe(): Promise<ProbeResult> {
    const transport = new SignalTransport({
      config: this.#config,
      logger: this.#running?.logger ?? silentLogger,
      onData: () => {},
      onActivity: () => {},
    });
    try {
      await transport.check();
      const me = await transport.whoAmI(AbortSignal.timeout(20_000));
      return {
        ok: true,
        identity: me.uuid ? `${me.number} (${me.uuid})` : me.number,
        detail: `signal-cli daemon at ${this.#config.httpUrl}`,
      };
    } catch (error) {
      const adapterError = toAdapterError(error, SIGNAL_PLATFORM);
      return adapterError.fix === undefined
        ? { ok: false, error: adapterError }
        : { ok: false, error: adapterError, fix: adapterError.fix };
    }
  }

  #requireRunning(what: string): Running {
    const running = this.#running;
    if (!running) {
      throw notConnectedError(SIGNAL_PLATFORM, 'SignalAdapter', what);
    }
    return running;
  }

  #groupAllowed(groupId: string): boolean {
    return this.#groups.has('*') || this.#groups.has(groupId);
  }

  #warnIfExposed(logger: Logger): void {
    const url = new URL(this.#config.httpUrl);
    if (url.protocol !== 'https:' && !isLoopbackHost(url.hostname)) {
      logger.warn(
        'signal: SIGNAL_HTTP_URL is not a loopback address and not https; signal-cli has no authentication, so anyone who can reach it can send as this account',
        { host: url.hostname },
      );
    }
  }

  /** Mentions often name the bot by service id only; the daemon tells us ours. */
  async #learnOwnUuid(running: Running): Promise<void> {
    try {
      const me = await running.transport.whoAmI(running.lookups.signal);
      if (me.uuid && this.#self.uuid === undefined) this.#self.uuid = me.uuid;
    } catch (error) {
      if (!running.lookups.signal.aborted) {
        running.logger.info('signal: could not look up our own service id; mentions are matched by number', {
          error: toAdapterError(error).message,
        });
      }
    }
  }

  #onData(data: string): void {
    const running = this.#running;
    if (!running) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      this.#stats.malformed += 1;
      running.logger.warn('signal: dropped an event whose data is not JSON', { length: data.length });
      return;
    }
    this.#learnFromOwnEnvelope(payload);
    const result = mapSignalInbound(payload, {
      self: this.#self,
      groupAllowed: (groupId) => this.#groupAllowed(groupId),
      requireMention: this.#config.requireMention,
      ignoreStories: this.#config.ignoreStories,
      media: {
        cache: running.ctx.mediaCache,
        maxBytes: this.#config.maxMediaBytes,
        fetchBase64: (id, origin) => running.transport.getAttachment(id, origin),
      },
      now: () => new Date(),
    });
    if (result.kind === 'malformed') {
      this.#stats.malformed += 1;
      running.logger.warn('signal: dropped a malformed event', { problem: result.problem });
      return;
    }
    if (result.kind === 'ignored') {
      this.#stats.ignored += 1;
      running.logger.debug('signal: ignored an event', { reason: result.reason });
      return;
    }
    if (running.dedupe.seen(result.dedupeKey)) {
      this.#stats.duplicates += 1;
      return;
    }
    const message = result.message;
    const ref = parseSignalMessageId(message.id);
    if (ref?.author) this.#authors.set(String(ref.timestamp), ref.author);
    this.#stats.received += 1;
    this.#liveness.inbound();
    try {
      running.ctx.receive(message);
    } catch (error) {
      running.logger.error('signal: the host receive() threw', { error: toAdapterError(error).message });
    }
  }

  /** Our own sync messages carry our number and service id together: learn the id from them. */
  #learnFromOwnEnvelope(payload: unknown): void {
    if (this.#self.uuid !== undefined || typeof payload !== 'object' || payload === null) return;
    const envelope = (payload as { envelope?: { sourceNumber?: unknown; sourceUuid?: unknown } }).envelope;
    if (
      typeof envelope?.sourceNumber === 'string' &&
      typeof envelope.sourceUuid === 'string' &&
      normalizeSignalUserId(envelope.sourceNumber) === this.#self.number
    ) {
      this.#self.uuid = envelope.sourceUuid;
    }
  }
}

/** Validates the config (throws AdapterError 'config_invalid' naming the key) and builds the adapter. */
export function createSignalAdapter(config: SignalConfigInput): SignalAdapter {
  return new SignalAdapter(config);
}
