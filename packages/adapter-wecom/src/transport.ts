import { AdapterError, type AdapterStatus, ConnectionSupervisor, type Logger } from '@hermes/adapter-core';
import type { WecomConfig } from './config.js';
import {
  type WecomCallbackFrame,
  WecomConnection,
  type WecomEventFrame,
  type WecomRequestOptions,
  type WecomResponseFrame,
} from './connection.js';
import { WECOM_PLATFORM, WecomErrcode } from './constants.js';
import { isWecomErrcode, WecomError } from './errors.js';

export interface WecomTransportRequestOptions extends WecomRequestOptions {
  /** Send only if the live socket is this one; otherwise fail with a local 846605 without writing. */
  onlyOnConnection?: number;
}

export interface WecomTransportOptions {
  config: WecomConfig;
  /** One per adapter instance, reused on every reconnect. */
  deviceId: string;
  logger: Logger;
  /** `connectionId` tells which socket the callback came in on: its req_id may not outlive that socket. */
  onCallback(frame: WecomCallbackFrame, connectionId: number): void;
  onStatus?(status: AdapterStatus, detail?: string): void;
  /** Every sign of life from WeCom: a ping ack or any frame. */
  onActivity?(): void;
  signal?: AbortSignal;
}

/**
 * The WeCom connection kept alive by core's ConnectionSupervisor: subscribe on every (re)connect with the
 * same device_id, a ping whose ack is awaited (no ack → the socket is dropped and reopened), the
 * 2, 5, 10, 30, 60 s schedule with jitter, and requests that wait for the connection instead of failing
 * while a reconnect is under way.
 */
export class WecomTransport {
  readonly #o: WecomTransportOptions;
  readonly #supervisor: ConnectionSupervisor;
  readonly #waiters = new Set<() => void>();
  #current: WecomConnection | undefined;
  #resubscribing: Promise<void> | undefined;
  #stopped = false;

  constructor(options: WecomTransportOptions) {
    this.#o = options;
    const { config } = options;
    const heartbeatTimeoutMs = config.heartbeatTimeoutMs ?? config.heartbeatIntervalMs;
    this.#supervisor = new ConnectionSupervisor({
      name: WECOM_PLATFORM,
      logger: options.logger,
      connect: (signal) => this.#connect(signal),
      backoff: { kind: 'schedule', delaysMs: config.reconnectDelaysMs, jitter: 0.2 },
      heartbeat: {
        intervalMs: config.heartbeatIntervalMs,
        timeoutMs: heartbeatTimeoutMs,
        send: () => this.#ping(heartbeatTimeoutMs),
      },
      connectTimeoutMs: config.connectTimeoutMs + 1_000,
      ...(options.onStatus ? { onStatus: options.onStatus } : {}),
      ...(options.onActivity ? { onActivity: options.onActivity } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  get deviceId(): string {
    return this.#o.deviceId;
  }

  get online(): boolean {
    return this.#current?.isOpen === true;
  }

  /** Resolves once subscribed; rejects with a fatal error (bad credentials) or when stopped first. */
  start(): Promise<void> {
    this.#stopped = false;
    return this.#supervisor.start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const wake of [...this.#waiters]) wake();
    await this.#supervisor.stop();
    const last = this.#current;
    this.#current = undefined;
    if (last) {
      last.close('stopped');
      await Promise.race([last.closed, new Promise((resolve) => setTimeout(resolve, 1_500).unref())]);
    }
  }

  /** Drops the socket and reconnects at once (used after WeCom stopped acknowledging our subscription). */
  reconnectNow(reason: string): void {
    this.#supervisor.reconnectNow(reason);
  }

  /**
   * One correlated request. Waits (up to the request timeout) for a live connection first, so a send
   * during a reconnect is delayed rather than failed. On 846609 (WeCom forgot the subscription) it
   * resubscribes on the same socket and sends once more; a second 846609 forces a reconnect.
   */
  request(
    cmd: string,
    body: unknown,
    options: WecomTransportRequestOptions = {},
  ): Promise<WecomResponseFrame> {
    // The usual case, a live socket, goes straight to it instead of through a wait that has nothing to wait for.
    const live = this.#current?.isOpen ? this.#current : undefined;
    if (live) return this.#requestOn(live, cmd, body, options);
    return this.#connection(options.timeoutMs ?? this.#o.config.requestTimeoutMs).then((connection) =>
      this.#requestOn(connection, cmd, body, options),
    );
  }

  #requestOn(
    connection: WecomConnection,
    cmd: string,
    body: unknown,
    options: WecomTransportRequestOptions,
  ): Promise<WecomResponseFrame> {
    if (options.onlyOnConnection !== undefined && options.onlyOnConnection !== connection.id) {
      // WeCom invalidates a callback's req_id when its socket goes (846605): do not even try.
      return Promise.reject(
        new WecomError(
          WecomErrcode.staleReqId,
          'req_id came from an earlier connection; not sent',
          cmd,
          'wecom_stale_req_id',
        ),
      );
    }
    return connection.request(cmd, body, options).catch((error: unknown) => {
      if (!isWecomErrcode(error, WecomErrcode.notSubscribed)) throw error;
      return this.#resubscribeAndRetry(connection, cmd, body, options);
    });
  }

  async #resubscribeAndRetry(
    connection: WecomConnection,
    cmd: string,
    body: unknown,
    options: WecomTransportRequestOptions,
  ): Promise<WecomResponseFrame> {
    this.#o.logger.warn(
      'WeCom says the socket is not subscribed (846609); resubscribing and sending once more',
      { cmd },
    );
    await this.#resubscribe(connection);
    try {
      return await connection.request(cmd, body, options);
    } catch (again) {
      if (isWecomErrcode(again, WecomErrcode.notSubscribed)) this.reconnectNow('846609 after a resubscribe');
      throw again;
    }
  }

  async #connect(signal: AbortSignal): Promise<WecomConnection> {
    const { config, logger } = this.#o;
    const connection = await WecomConnection.open({
      url: config.websocketUrl,
      botId: config.botId,
      secret: config.secret,
      deviceId: this.#o.deviceId,
      connectTimeoutMs: config.connectTimeoutMs,
      requestTimeoutMs: config.requestTimeoutMs,
      logger,
      signal,
      onCallback: (frame, connectionId) => this.#o.onCallback(frame, connectionId),
      onEvent: (frame) => this.#onEvent(frame),
      onActivity: () => this.#supervisor.markActivity(),
    });
    this.#current = connection;
    connection.closed.then(() => {
      if (this.#current === connection) this.#current = undefined;
    });
    for (const wake of [...this.#waiters]) wake();
    return connection;
  }

  #onEvent(frame: WecomEventFrame): void {
    if (frame.eventType === 'disconnected_event') {
      this.#o.logger.warn(
        'WeCom closed this session because a newer one subscribed with the same bot (another process running this bot?)',
      );
    } else {
      this.#o.logger.debug('WeCom event ignored', { eventType: frame.eventType });
    }
  }

  async #ping(timeoutMs: number): Promise<void> {
    const connection = this.#current;
    if (!connection)
      throw new AdapterError('not_connected', 'no WeCom connection to ping', { platform: WECOM_PLATFORM });
    await connection.ping(timeoutMs + 1_000);
  }

  #resubscribe(connection: WecomConnection): Promise<void> {
    this.#resubscribing ??= connection.subscribe().finally(() => {
      this.#resubscribing = undefined;
    });
    return this.#resubscribing.catch((error: unknown) => {
      this.reconnectNow('resubscribe failed');
      throw error;
    });
  }

  /** The live connection, or one that comes up within `timeoutMs`. */
  #connection(timeoutMs: number): Promise<WecomConnection> {
    const ready = () => (this.#current?.isOpen ? this.#current : undefined);
    const now = ready();
    if (now) return Promise.resolve(now);
    if (this.#stopped) return Promise.reject(this.#notConnected('the adapter is stopped'));
    return new Promise<WecomConnection>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(this.#notConnected(`no connection within ${timeoutMs} ms (reconnecting)`));
      }, timeoutMs);
      const wake = () => {
        const connection = ready();
        if (!connection && !this.#stopped) return;
        clearTimeout(timer);
        this.#waiters.delete(wake);
        if (connection) resolve(connection);
        else reject(this.#notConnected('the adapter is stopped'));
      };
      this.#waiters.add(wake);
    });
  }

  #notConnected(why: string): AdapterError {
    return new AdapterError('not_connected', `WeCom is not connected: ${why}`, { platform: WECOM_PLATFORM });
  }
}

/** One subscribe handshake and close: checks the credentials and the URL without starting anything. */
export async function probeWecom(config: WecomConfig, deviceId: string, logger: Logger): Promise<void> {
  const connection = await WecomConnection.open({
    url: config.websocketUrl,
    botId: config.botId,
    secret: config.secret,
    deviceId,
    connectTimeoutMs: config.connectTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    logger,
  });
  connection.close('probe done');
  await connection.closed;
}
