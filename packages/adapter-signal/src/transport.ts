import {
  AdapterError,
  type ConnectionDrop,
  type Logger,
  type SupervisedConnection,
  toAdapterError,
} from '@hermes/adapter-core';
import type { SignalConfig } from './config.js';
import { SIGNAL_GROUP_PREFIX, SIGNAL_PLATFORM } from './constants.js';
import { isRecord } from './envelope.js';
import { openSignalEventStream } from './event-stream.js';
import { SignalRpcClient } from './rpc-client.js';

export interface SignalTransportOptions {
  config: SignalConfig;
  logger: Logger;
  /** Each `receive` event's data, as text, in arrival order. */
  onData(data: string): void;
  /** Stream traffic and successful health checks. */
  onActivity(): void;
  /** A successful health check (the daemon answered /api/v1/check). */
  onHealthy?(): void;
}

/** `recipient` for a DM (number or service id), `groupId` for `group:<id>`. */
export type SignalTarget = { recipient: string[] } | { groupId: string };

export function signalTargetOf(chatId: string): SignalTarget {
  return chatId.startsWith(SIGNAL_GROUP_PREFIX)
    ? { groupId: chatId.slice(SIGNAL_GROUP_PREFIX.length) }
    : { recipient: [chatId] };
}

export interface SignalSendParams {
  chatId: string;
  message: string;
  textStyles?: string[];
  attachments?: string[];
  quote?: { timestamp: number; author: string };
  voiceNote?: boolean;
}

/** Who the account is, from the daemon: used to recognise mentions of the bot by service id. */
export interface SignalIdentity {
  number: string;
  uuid: string | undefined;
}

const CHECK_TIMEOUT_MS = 10_000;

/**
 * The wire to the signal-cli daemon: SSE in, JSON-RPC out, `/api/v1/check` for health. Only this file (and
 * the stream and RPC helpers it uses) knows URLs and method names.
 */
export class SignalTransport {
  readonly #o: SignalTransportOptions;
  readonly #rpc: SignalRpcClient;
  /** The last SSE id seen, kept across reconnects (signal-cli sends none; see openSignalEventStream). */
  #lastEventId: string | undefined;

  constructor(options: SignalTransportOptions) {
    this.#o = options;
    this.#rpc = new SignalRpcClient({
      baseUrl: options.config.httpUrl,
      account: options.config.account,
      timeoutMs: options.config.rpcTimeoutMs,
      // base64 of the largest attachment plus the JSON around it.
      maxResponseBytes: Math.ceil((options.config.maxMediaBytes * 4) / 3) + 64 * 1024,
      logger: options.logger,
    });
  }

  /** GET /api/v1/check: 200 while the daemon runs. */
  async check(signal?: AbortSignal): Promise<void> {
    const timeout = AbortSignal.timeout(CHECK_TIMEOUT_MS);
    let response: Response;
    try {
      response = await fetch(new URL('/api/v1/check', this.#o.config.httpUrl), {
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      await response.body?.cancel().catch(() => {});
    } catch (error) {
      const wrapped = toAdapterError(error, SIGNAL_PLATFORM);
      throw new AdapterError(
        'network',
        `signal-cli at ${this.#o.config.httpUrl} is unreachable: ${wrapped.message}`,
        {
          platform: SIGNAL_PLATFORM,
          cause: error,
          fix: 'Start the daemon (signal-cli -a <account> daemon --http 127.0.0.1:8080) or fix SIGNAL_HTTP_URL.',
        },
      );
    }
    if (response.status === 404) {
      throw new AdapterError('config_invalid', `${this.#o.config.httpUrl} has no /api/v1/check (HTTP 404)`, {
        platform: SIGNAL_PLATFORM,
        fix: 'Point SIGNAL_HTTP_URL at signal-cli started with `daemon --http` (signal-cli 0.13 or newer).',
      });
    }
    if (response.status !== 200) {
      throw new AdapterError('server_error', `signal-cli health check answered HTTP ${response.status}`, {
        platform: SIGNAL_PLATFORM,
      });
    }
  }

  /**
   * One supervised connection: the health check, then the event stream, then a health check every
   * `healthCheckIntervalMs` whose failure ends the connection (the supervisor reconnects).
   */
  async connect(signal: AbortSignal): Promise<SupervisedConnection> {
    await this.check(signal);
    const stream = await openSignalEventStream({
      baseUrl: this.#o.config.httpUrl,
      account: this.#o.config.account,
      signal,
      logger: this.#o.logger,
      onData: (data) => this.#o.onData(data),
      onActivity: () => this.#o.onActivity(),
      lastEventId: this.#lastEventId,
      onEventId: (id) => {
        this.#lastEventId = id;
      },
    });
    let done = false;
    let failHealth: (drop: ConnectionDrop) => void = () => {};
    const healthFailed = new Promise<ConnectionDrop>((resolve) => {
      failHealth = resolve;
    });
    const probing = new AbortController();
    const timer = setInterval(() => {
      this.check(probing.signal).then(
        () => {
          if (done) return;
          this.#o.onHealthy?.();
        },
        (error: unknown) => {
          if (done) return;
          failHealth({
            reason: `health check failed: ${toAdapterError(error).message}`,
            error: toAdapterError(error),
          });
        },
      );
    }, this.#o.config.healthCheckIntervalMs);
    const closed = Promise.race([stream.closed, healthFailed]).then((drop) => {
      done = true;
      clearInterval(timer);
      probing.abort();
      stream.close(drop.reason);
      // A failed health check is worth a reconnect, never a fatal stop.
      return drop.error !== undefined && drop.reason.startsWith('health check failed')
        ? { reason: drop.reason }
        : drop;
    });
    return {
      closed,
      close: (reason) => {
        done = true;
        clearInterval(timer);
        probing.abort();
        stream.close(reason);
      },
    };
  }

  /** JSON-RPC `send`; resolves with the message's timestamp, which is its id on Signal. */
  async send(params: SignalSendParams): Promise<{ timestamp: number }> {
    const body: Record<string, unknown> = { ...signalTargetOf(params.chatId), message: params.message };
    if (params.textStyles && params.textStyles.length > 0) body['textStyle'] = params.textStyles;
    if (params.attachments && params.attachments.length > 0) body['attachments'] = params.attachments;
    if (params.quote) {
      body['quoteTimestamp'] = params.quote.timestamp;
      body['quoteAuthor'] = params.quote.author;
    }
    if (params.voiceNote) body['voiceNote'] = true;
    const result = await this.#rpc.call('send', body);
    const timestamp = isRecord(result) ? result['timestamp'] : undefined;
    if (typeof timestamp !== 'number') {
      throw new AdapterError('protocol', 'signal-cli send: the result has no timestamp', {
        platform: SIGNAL_PLATFORM,
        retryable: false,
      });
    }
    return { timestamp };
  }

  async sendTyping(chatId: string, stop = false): Promise<void> {
    await this.#rpc.call(
      'sendTyping',
      { ...signalTargetOf(chatId), ...(stop ? { stop: true } : {}) },
      { idempotent: true },
    );
  }

  async sendReaction(
    chatId: string,
    emoji: string,
    targetAuthor: string,
    targetTimestamp: number,
  ): Promise<void> {
    // Setting the same reaction twice leaves one reaction, so a retry cannot duplicate it.
    await this.#rpc.call(
      'sendReaction',
      { ...signalTargetOf(chatId), emoji, targetAuthor, targetTimestamp },
      { idempotent: true },
    );
  }

  /** The bytes of an attachment the daemon stored, base64 (`getAttachment`). */
  async getAttachment(id: string, origin: { recipient: string } | { groupId: string }): Promise<string> {
    const result = await this.#rpc.call('getAttachment', { id, ...origin }, { idempotent: true });
    const data = isRecord(result) ? result['data'] : result;
    if (typeof data !== 'string') {
      throw new AdapterError('protocol', `signal-cli getAttachment ${id}: no data in the result`, {
        platform: SIGNAL_PLATFORM,
      });
    }
    return data;
  }

  /** The account's own number and service id (`getUserStatus` on itself). */
  async whoAmI(signal?: AbortSignal): Promise<SignalIdentity> {
    const account = this.#o.config.account;
    const result = await this.#rpc.call(
      'getUserStatus',
      { recipient: [account] },
      { idempotent: true, timeoutMs: 15_000, ...(signal ? { signal } : {}) },
    );
    const entry = Array.isArray(result) ? result.find(isRecord) : undefined;
    const uuid = entry && typeof entry['uuid'] === 'string' ? entry['uuid'] : undefined;
    return { number: account, uuid };
  }
}
