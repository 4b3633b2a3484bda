import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { SlackIdSource } from './slack-ids.js';

export type SlackFakeEnvelopeType = 'events_api' | 'slash_commands' | 'interactive';

/** One envelope the fake wrote to a socket. */
export interface SlackFakeEnvelope {
  envelopeId: string;
  type: SlackFakeEnvelopeType;
  /** `event_id` of an events_api envelope, the trigger id of a slash command or button press. */
  key: string;
  retryAttempt: number;
  retryReason: string;
  connection: number;
  at: number;
}

/** An event the fake is delivering until a client acknowledges it (or it gives up, like Slack). */
export interface SlackFakeDelivery {
  key: string;
  type: SlackFakeEnvelopeType;
  payload: Record<string, unknown>;
  /** Envelopes written so far; the last one is current. */
  envelopes: string[];
  acked: boolean;
  /** Slack stopped retrying: every attempt went unacknowledged. */
  abandoned: boolean;
  /** Resolves once acknowledged; rejects when abandoned. */
  done: Promise<void>;
}

interface DeliveryState extends SlackFakeDelivery {
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
  /** Connection the current envelope went to. */
  connection: number;
}

interface Connection {
  id: number;
  socket: WebSocket;
  /** The TCP stream under the WebSocket, to simulate a peer that stops reading. */
  raw: Duplex;
  ready: boolean;
}

export interface SocketModeHubOptions {
  ids: SlackIdSource;
  appId: string;
  ackTimeoutMs: number;
  maxRetries: number;
  pingIntervalMs: number;
  /** Tickets handed out by apps.connections.open; an upgrade without a valid one is refused. */
  takeTicket(ticket: string | null): boolean;
}

/**
 * The Socket Mode side of the fake: hello on connect, envelopes to the newest socket, acks within a
 * deadline, and Slack's redelivery (new envelope id, retry_attempt + 1) when an ack does not come or the
 * socket that carried the envelope goes away.
 */
export class SocketModeHub {
  readonly envelopes: SlackFakeEnvelope[] = [];
  readonly acks: Array<{ envelopeId: string; key?: string; at: number; late: boolean }> = [];
  /** Frames from clients that were not a usable ack. */
  readonly strayFrames: string[] = [];
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #connections = new Map<number, Connection>();
  readonly #deliveries = new Map<string, DeliveryState>();
  readonly #byEnvelope = new Map<string, DeliveryState>();
  readonly #o: SocketModeHubOptions;
  #connectionCount = 0;
  #pinger: NodeJS.Timeout | undefined;
  #closed = false;
  #silent = false;

  constructor(o: SocketModeHubOptions) {
    this.#o = o;
    if (o.pingIntervalMs > 0) {
      this.#pinger = setInterval(() => {
        if (this.#silent) return;
        for (const c of this.#connections.values())
          if (c.socket.readyState === c.socket.OPEN) c.socket.ping();
      }, o.pingIntervalMs);
      this.#pinger.unref();
    }
  }

  get connectionCount(): number {
    return this.#connectionCount;
  }

  get openSockets(): number {
    return this.#connections.size;
  }

  get unacked(): SlackFakeDelivery[] {
    return [...this.#deliveries.values()].filter((d) => !d.acked && !d.abandoned);
  }

  delivery(key: string): SlackFakeDelivery | undefined {
    return this.#deliveries.get(key);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (this.#closed || !this.#o.takeTicket(url.searchParams.get('ticket'))) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, socket));
  }

  /** Starts delivering an envelope; it goes out now if a socket is ready, else on the next hello. */
  deliver(type: SlackFakeEnvelopeType, key: string, payload: Record<string, unknown>): SlackFakeDelivery {
    const existing = this.#deliveries.get(key);
    if (existing) return existing;
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    done.catch(() => {});
    const state: DeliveryState = {
      key,
      type,
      payload,
      envelopes: [],
      acked: false,
      abandoned: false,
      done,
      resolve,
      reject,
      timer: undefined,
      connection: 0,
    };
    this.#deliveries.set(key, state);
    this.#send(state, 0, '');
    return state;
  }

  /**
   * Sends an event again with a new envelope id and retry_attempt + 1, even if it was acknowledged: what
   * Slack does when an ack was lost on the way or came after the deadline.
   */
  redeliver(key: string, reason = 'timeout'): boolean {
    const d = this.#deliveries.get(key);
    if (!d || !this.#newest()) return false;
    if (d.timer) clearTimeout(d.timer);
    d.timer = undefined;
    // The copy must be acknowledged again; done() stays resolved from the first ack.
    d.acked = false;
    this.#send(d, d.envelopes.length, reason);
    return true;
  }

  /** Writes raw text to the newest ready socket (garbage frames, hand-made envelopes). */
  sendRaw(data: string | Buffer): boolean {
    const c = this.#newest();
    if (!c) return false;
    c.socket.send(data);
    return true;
  }

  /** Slack's `disconnect` message, then the socket is closed by the server if the client has not left. */
  requestDisconnect(reason: string, closeAfterMs: number): number {
    let count = 0;
    for (const c of this.#connections.values()) {
      c.socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-slack' } }));
      count += 1;
      setTimeout(() => {
        if (c.socket.readyState === c.socket.OPEN) c.socket.close(1000, reason);
      }, closeAfterMs).unref();
    }
    return count;
  }

  /**
   * The server stops reading every open socket: no pong, no answer to a close frame, acks unread. What a
   * half-dead connection (a "zombie") looks like from the client.
   */
  stallSockets(): number {
    const all = [...this.#connections.values()];
    for (const c of all) c.raw.pause();
    return all.length;
  }

  /**
   * Slack goes quiet while the TCP connection stays up: no server pings, no envelopes (they wait), and the
   * sockets are no longer read, so the client's pings get no pong. Nothing is closed.
   */
  goSilent(): number {
    this.#silent = true;
    return this.stallSockets();
  }

  get silent(): boolean {
    return this.#silent;
  }

  /** Kills every socket without a close frame, like a network cut. */
  dropSockets(): number {
    const all = [...this.#connections.values()];
    for (const c of all) c.socket.terminate();
    return all.length;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#pinger) clearInterval(this.#pinger);
    for (const d of this.#deliveries.values()) if (d.timer) clearTimeout(d.timer);
    for (const c of this.#connections.values()) c.socket.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(socket: WebSocket, raw: Duplex): void {
    this.#connectionCount += 1;
    const connection: Connection = { id: this.#connectionCount, socket, raw, ready: false };
    this.#connections.set(connection.id, connection);
    socket.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    socket.on('error', () => {});
    socket.on('close', () => this.#onClose(connection));
    socket.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.#connections.size,
        debug_info: { host: 'fake-slack', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: this.#o.appId },
      }),
    );
    connection.ready = true;
    // What waited for a socket goes out now, in the order it was delivered.
    for (const d of this.#deliveries.values()) {
      if (!d.acked && !d.abandoned && d.connection === 0)
        this.#send(d, d.envelopes.length, d.envelopes.length ? 'connection_lost' : '');
    }
  }

  #newest(): Connection | undefined {
    let newest: Connection | undefined;
    for (const c of this.#connections.values()) {
      if (c.ready && c.socket.readyState === c.socket.OPEN && (!newest || c.id > newest.id)) newest = c;
    }
    return newest;
  }

  #send(d: DeliveryState, attempt: number, reason: string): void {
    if (this.#closed) return;
    if (attempt > this.#o.maxRetries) {
      d.abandoned = true;
      d.reject(new Error(`fake Slack gave up on ${d.key} after ${attempt} unacknowledged attempts`));
      return;
    }
    const c = this.#silent ? undefined : this.#newest();
    if (!c) {
      d.connection = 0;
      return;
    }
    const envelopeId = this.#o.ids.envelopeId();
    d.envelopes.push(envelopeId);
    d.connection = c.id;
    this.#byEnvelope.set(envelopeId, d);
    this.envelopes.push({
      envelopeId,
      type: d.type,
      key: d.key,
      retryAttempt: attempt,
      retryReason: reason,
      connection: c.id,
      at: Date.now(),
    });
    const envelope: Record<string, unknown> = {
      envelope_id: envelopeId,
      payload: d.payload,
      type: d.type,
      accepts_response_payload: d.type === 'slash_commands',
    };
    if (d.type === 'events_api') {
      envelope['retry_attempt'] = attempt;
      envelope['retry_reason'] = reason;
    }
    c.socket.send(JSON.stringify(envelope));
    d.timer = setTimeout(() => {
      d.timer = undefined;
      if (!d.acked && d.envelopes.at(-1) === envelopeId) this.#send(d, attempt + 1, 'timeout');
    }, this.#o.ackTimeoutMs);
    d.timer.unref();
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    const text = isBinary ? '' : data.toString();
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      this.strayFrames.push(text);
      return;
    }
    const envelopeId = (frame as { envelope_id?: unknown } | null)?.envelope_id;
    const d = typeof envelopeId === 'string' ? this.#byEnvelope.get(envelopeId) : undefined;
    if (!d || typeof envelopeId !== 'string') {
      this.strayFrames.push(text);
      return;
    }
    const late = d.envelopes.at(-1) !== envelopeId;
    this.acks.push({ envelopeId, key: d.key, at: Date.now(), late });
    if (d.acked) return;
    d.acked = true;
    if (d.timer) clearTimeout(d.timer);
    d.timer = undefined;
    d.resolve();
  }

  #onClose(connection: Connection): void {
    this.#connections.delete(connection.id);
    // Unacknowledged envelopes that rode on this socket are sent again, on another socket or the next one.
    for (const d of this.#deliveries.values()) {
      if (d.acked || d.abandoned || d.connection !== connection.id) continue;
      if (d.timer) clearTimeout(d.timer);
      d.timer = undefined;
      d.connection = 0;
      if (this.#newest()) this.#send(d, d.envelopes.length, 'connection_lost');
    }
  }
}
