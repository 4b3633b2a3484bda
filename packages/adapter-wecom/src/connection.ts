import { AdapterError, type Logger } from '@hermes/adapter-core';
import WebSocket from 'ws';
import { WECOM_PLATFORM, WecomCmd } from './constants.js';
import { wecomErrorFromErrcode } from './errors.js';
import { encodeWecomFrame, parseWecomFrame, type WecomInboundFrame, wecomReqId } from './frames.js';

export type WecomResponseFrame = Extract<WecomInboundFrame, { kind: 'response' }>;
export type WecomCallbackFrame = Extract<WecomInboundFrame, { kind: 'callback' }>;
export type WecomEventFrame = Extract<WecomInboundFrame, { kind: 'event' }>;

export interface WecomConnectionOptions {
  url: string;
  botId: string;
  secret: string;
  /** Same value on every reconnect, so WeCom replaces the old session instead of keeping a zombie. */
  deviceId: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  logger: Logger;
  signal?: AbortSignal;
  /** May fire before `open()` resolves: WeCom can send queued callbacks right behind the subscribe ack. */
  onCallback?(frame: WecomCallbackFrame, connectionId: number): void;
  onEvent?(frame: WecomEventFrame): void;
  /** Any frame arrived: the socket is alive. */
  onActivity?(): void;
}

export interface WecomRequestOptions {
  /** Passive replies reuse the callback's req_id; everything else gets `<cmd>-<uuid hex>`. */
  reqId?: string;
  timeoutMs?: number;
}

interface Pending {
  cmd: string;
  resolve(frame: WecomResponseFrame): void;
  reject(error: AdapterError): void;
  /** `performance.now()` after which the request fails as an ambiguous timeout. */
  deadline: number;
  timeoutMs: number;
}

let connectionCounter = 0;

function wecomAdapterError(code: string, message: string, cause?: unknown): AdapterError {
  return new AdapterError(code, message, {
    platform: WECOM_PLATFORM,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * One subscribed WebSocket to the WeCom AI-bot gateway. Requests are correlated by `headers.req_id`, each with
 * a timeout; when the socket drops, every pending request fails at once. It does not reconnect: the
 * transport's supervisor builds a new one.
 */
export class WecomConnection {
  readonly id = ++connectionCounter;
  readonly closed: Promise<{ reason: string; error?: unknown }>;
  readonly #socket: WebSocket;
  readonly #options: WecomConnectionOptions;
  readonly #pending = new Map<string, Pending>();
  #settleClosed!: (drop: { reason: string; error?: unknown }) => void;
  #closeReason: string | undefined;
  #closeError: unknown;
  #killTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * One timer for every pending request, armed for the earliest deadline. A timer per request cost about
   * a microsecond and a Timeout object per reply, for a timeout that almost never fires.
   */
  #deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  #deadlineAt = Number.POSITIVE_INFINITY;

  private constructor(socket: WebSocket, options: WecomConnectionOptions) {
    this.#socket = socket;
    this.#options = options;
    this.closed = new Promise((resolve) => {
      this.#settleClosed = resolve;
    });
    socket.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    socket.on('close', (code, reason) => this.#onClose(code, reason.toString()));
    socket.on('error', (error) => {
      this.#closeError ??= error;
      options.logger.warn('WeCom socket error', { error: error.message });
    });
  }

  /** Opens the socket and completes the subscribe handshake, all within `connectTimeoutMs`. */
  static async open(options: WecomConnectionOptions): Promise<WecomConnection> {
    const socket = await openSocket(options);
    const connection = new WecomConnection(socket, options);
    try {
      await connection.subscribe(options.connectTimeoutMs);
      return connection;
    } catch (error) {
      connection.close('subscribe failed');
      throw error;
    }
  }

  get isOpen(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  /** `aibot_subscribe`; also used to resubscribe after WeCom answered 846609 (not subscribed). */
  async subscribe(timeoutMs = this.#options.connectTimeoutMs): Promise<void> {
    const { botId, secret, deviceId } = this.#options;
    try {
      await this.request(
        WecomCmd.subscribe,
        { bot_id: botId, secret, device_id: deviceId },
        {
          reqId: wecomReqId('subscribe'),
          timeoutMs,
        },
      );
    } catch (error) {
      if (error instanceof AdapterError && error.code === 'timeout_ambiguous') {
        throw wecomAdapterError('network', 'Timed out waiting for WeCom subscribe acknowledgement', error);
      }
      if (error instanceof AdapterError && error.code === 'connection_interrupted') {
        throw wecomAdapterError('network', 'WeCom websocket closed during authentication', error);
      }
      throw error;
    }
  }

  /** App-level heartbeat: resolves when WeCom acknowledged this ping. */
  async ping(timeoutMs: number): Promise<void> {
    await this.request(WecomCmd.ping, undefined, { reqId: wecomReqId('ping'), timeoutMs });
  }

  /**
   * Sends one request and resolves with WeCom's answer (errcode 0). A non-zero errcode rejects with a
   * WecomError; a missing answer rejects with `timeout_ambiguous` (WeCom may have acted: never resend).
   * A socket that is not open rejects with `not_connected` before anything was written (safe to resend).
   */
  request(cmd: string, body: unknown, options: WecomRequestOptions = {}): Promise<WecomResponseFrame> {
    const reqId = options.reqId ?? wecomReqId(cmd);
    if (!this.isOpen) {
      return Promise.reject(wecomAdapterError('not_connected', `WeCom socket is not open (${cmd} not sent)`));
    }
    if (this.#pending.has(reqId)) {
      return Promise.reject(
        wecomAdapterError('bad_request', `a ${cmd} with req_id ${reqId} is already in flight`),
      );
    }
    const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs;
    return new Promise<WecomResponseFrame>((resolve, reject) => {
      const deadline = performance.now() + timeoutMs;
      this.#pending.set(reqId, { cmd, resolve, reject, deadline, timeoutMs });
      if (deadline < this.#deadlineAt) this.#armDeadline(deadline);
      this.#socket.send(encodeWecomFrame(cmd, reqId, body), (error) => {
        if (!error) return;
        // The frame never left: nothing reached WeCom, so a later resend cannot duplicate.
        this.#fail(
          reqId,
          wecomAdapterError('not_connected', `WeCom socket closed before ${cmd} was written`, error),
        );
      });
    });
  }

  /** Idempotent. The socket gets a close frame, and is destroyed if the peer does not answer within 1 s. */
  close(reason: string): void {
    this.#closeReason ??= reason;
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    if (this.#killTimer) return;
    this.#socket.close(1000, reason.slice(0, 120));
    this.#killTimer = setTimeout(() => this.#socket.terminate(), 1_000);
  }

  /** Drops the socket without a close frame (heartbeat found it dead). */
  terminate(reason: string): void {
    this.#closeReason ??= reason;
    this.#socket.terminate();
  }

  #fail(reqId: string, error: AdapterError): void {
    const pending = this.#take(reqId);
    pending?.reject(error);
  }

  /** Removes a pending request; with none left, the deadline timer goes too (it would hold the process). */
  #take(reqId: string): Pending | undefined {
    const pending = this.#pending.get(reqId);
    if (!pending) return undefined;
    this.#pending.delete(reqId);
    if (this.#pending.size === 0) this.#disarmDeadline();
    return pending;
  }

  #armDeadline(at: number): void {
    clearTimeout(this.#deadlineTimer);
    this.#deadlineAt = at;
    this.#deadlineTimer = setTimeout(() => this.#expireOverdue(), Math.max(0, at - performance.now()));
  }

  #disarmDeadline(): void {
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = undefined;
    this.#deadlineAt = Number.POSITIVE_INFINITY;
  }

  /** Fails every request past its deadline and re-arms for the earliest of the others. */
  #expireOverdue(): void {
    this.#deadlineTimer = undefined;
    this.#deadlineAt = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let next = Number.POSITIVE_INFINITY;
    const overdue: Array<[string, Pending]> = [];
    for (const entry of this.#pending) {
      if (entry[1].deadline <= now) overdue.push(entry);
      else if (entry[1].deadline < next) next = entry[1].deadline;
    }
    for (const [reqId, pending] of overdue) {
      this.#pending.delete(reqId);
      pending.reject(
        wecomAdapterError(
          'timeout_ambiguous',
          `Timeout sending message to WeCom: no answer to ${pending.cmd} in ${pending.timeoutMs} ms`,
        ),
      );
    }
    if (next < Number.POSITIVE_INFINITY) this.#armDeadline(next);
  }

  #onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    this.#options.onActivity?.();
    const log = this.#options.logger;
    if (isBinary) {
      log.warn('WeCom sent a binary frame; ignored (the protocol is JSON text)');
      return;
    }
    const parsed = parseWecomFrame(data.toString());
    if (!parsed.ok) {
      log.warn('WeCom sent a malformed frame; ignored', { problem: parsed.problem });
      return;
    }
    const frame = parsed.frame;
    if (frame.kind === 'callback') {
      this.#options.onCallback?.(frame, this.id);
      return;
    }
    if (frame.kind === 'event') {
      this.#options.onEvent?.(frame);
      return;
    }
    const pending = this.#take(frame.reqId);
    if (!pending) {
      if (frame.kind === 'unknown') log.warn('WeCom sent an unknown cmd; ignored', { cmd: frame.cmd });
      else log.debug('WeCom answer matches no pending request', { reqId: frame.reqId });
      return;
    }
    if (frame.kind === 'unknown') {
      pending.resolve({
        kind: 'response',
        cmd: frame.cmd,
        reqId: frame.reqId,
        errcode: 0,
        errmsg: '',
        body: {},
      });
    } else if (frame.errcode !== 0) {
      pending.reject(wecomErrorFromErrcode(frame.errcode, frame.errmsg, pending.cmd));
    } else {
      pending.resolve(frame);
    }
  }

  #onClose(code: number, reason: string): void {
    clearTimeout(this.#killTimer);
    const why = this.#closeReason ?? `closed by WeCom (code ${code}${reason ? `, ${reason}` : ''})`;
    for (const [reqId, pending] of this.#pending) {
      const written = wecomAdapterError(
        pending.cmd === WecomCmd.subscribe ? 'connection_interrupted' : 'timeout_ambiguous',
        `WeCom connection interrupted before the answer to ${pending.cmd} (${why}); it may or may not have been delivered`,
      );
      this.#fail(reqId, written);
    }
    this.#settleClosed(
      this.#closeError === undefined ? { reason: why } : { reason: why, error: this.#closeError },
    );
  }
}

/** The WebSocket handshake alone, bounded by the connect timeout and the abort signal. */
function openSocket(options: WecomConnectionOptions): Promise<WebSocket> {
  return new Promise<WebSocket>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(wecomAdapterError('aborted', 'WeCom connect aborted'));
      return;
    }
    const socket = new WebSocket(options.url, {
      handshakeTimeout: options.connectTimeoutMs,
      perMessageDeflate: false,
      headers: { 'user-agent': 'HermesAgent/1.0' },
    });
    const done = (error?: AdapterError) => {
      options.signal?.removeEventListener('abort', onAbort);
      socket.off('open', onOpen);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (error) {
        socket.on('error', () => {});
        socket.terminate();
        reject(error);
      } else resolve(socket);
    };
    const onOpen = () => done();
    const onError = (error: Error) =>
      done(wecomAdapterError('network', `Cannot open the WeCom websocket: ${error.message}`, error));
    const onClose = () => done(wecomAdapterError('network', 'WeCom websocket closed during the handshake'));
    const onAbort = () => done(wecomAdapterError('aborted', 'WeCom connect aborted'));
    socket.once('open', onOpen);
    socket.once('error', onError);
    socket.once('close', onClose);
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
