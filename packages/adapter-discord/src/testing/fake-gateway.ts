import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { apiGuildCreate, apiUser, type Json } from './fake-payloads.js';
import type { FakeWorld } from './fake-world.js';

/** Gateway opcodes (Discord API v10). */
export const GatewayOp = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

/** Intent bits the fake filters dispatches by. */
export const FakeIntent = {
  Guilds: 1 << 0,
  GuildMessages: 1 << 9,
  DirectMessages: 1 << 12,
  MessageContent: 1 << 15,
} as const;

export interface FakeGatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  /** Events kept per session for RESUME. */
  replayBufferSize: number;
  /** A disconnected session can be resumed for this long. */
  resumeWindowMs: number;
  /** Intents the application may not use (privileged ones not switched on in the portal): IDENTIFY gets 4014. */
  disallowedIntents: number;
}

interface Dispatch {
  s: number;
  t: string;
  d: unknown;
}

export interface FakeSession {
  id: string;
  seq: number;
  intents: number;
  events: Dispatch[];
  connection?: FakeGatewayConnection;
  disconnectedAt?: number;
  invalid: boolean;
}

export interface FakeGatewayConnection {
  id: number;
  socket: WebSocket;
  openedAt: number;
  session?: FakeSession;
  zombie: boolean;
  heartbeats: number;
  closedAt?: number;
  closeCode?: number;
}

/** One frame the client sent, as received. */
export interface FakeGatewayFrame {
  connection: number;
  at: number;
  op?: number;
  d?: unknown;
  raw: string;
}

export type FakeConnectionRefusal = 'none' | 'http-503' | 'drop-after-open';

/**
 * The gateway half of the fake: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME with replay
 * of the dispatches the client missed, INVALID_SESSION, and the faults tests need (drops without a
 * close frame, zombie mode, garbage frames, refused connections).
 */
export class FakeGateway {
  readonly connections: FakeGatewayConnection[] = [];
  /** When each WebSocket upgrade was asked for, refused ones included. */
  readonly attempts: number[] = [];
  readonly frames: FakeGatewayFrame[] = [];
  readonly sessions = new Map<string, FakeSession>();
  identifies = 0;
  resumes = 0;
  refusal: FakeConnectionRefusal = 'none';
  /** Extra already-acknowledged events replayed on RESUME (a redelivery the client must de-duplicate). */
  replayOverlap = 0;
  readonly #wss = new WebSocketServer({ noServer: true });
  #zombieIgnoresClose = false;
  #silent = false;
  #listeners = new Set<() => void>();

  constructor(
    private readonly world: FakeWorld,
    private readonly options: FakeGatewayOptions,
    private readonly urls: () => { ws: string },
  ) {}

  /** Called on every change a test might wait for (connection, frame, session). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Lets other parts of the fake (interaction callbacks) wake the same waiters. */
  notify(): void {
    this.#changed();
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.attempts.push(Date.now());
    if (this.refusal === 'http-503') {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      this.#changed();
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
  }

  #accept(socket: WebSocket): void {
    const connection: FakeGatewayConnection = {
      id: this.connections.length + 1,
      socket,
      openedAt: Date.now(),
      zombie: false,
      heartbeats: 0,
    };
    this.connections.push(connection);
    socket.on('error', () => {});
    socket.on('close', (code) => {
      connection.closeCode = code;
      this.#detach(connection);
    });
    if (this.refusal === 'drop-after-open') {
      socket.terminate();
      return;
    }
    socket.on('message', (data: RawData) => this.#onFrame(connection, data));
    this.#send(connection, {
      op: GatewayOp.Hello,
      d: { heartbeat_interval: this.options.heartbeatIntervalMs },
    });
    this.#changed();
  }

  /** The connection is gone (or being cut): its session waits for a RESUME from now on. */
  #detach(connection: FakeGatewayConnection): void {
    connection.closedAt ??= Date.now();
    const session = connection.session;
    if (session && session.connection === connection) {
      session.connection = undefined;
      session.disconnectedAt = Date.now();
    }
    this.#changed();
  }

  #onFrame(connection: FakeGatewayConnection, data: RawData): void {
    const raw = Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Buffer.concat(data as Buffer[]).toString('utf8');
    const frame: FakeGatewayFrame = { connection: connection.id, at: Date.now(), raw };
    this.frames.push(frame);
    let payload: { op?: unknown; d?: unknown };
    try {
      payload = JSON.parse(raw) as { op?: unknown; d?: unknown };
    } catch {
      connection.socket.close(4002, 'Error while decoding payload.');
      return;
    }
    if (typeof payload.op === 'number') frame.op = payload.op;
    frame.d = payload.d;
    switch (payload.op) {
      case GatewayOp.Heartbeat:
        connection.heartbeats += 1;
        if (!connection.zombie && !this.#silent) this.#send(connection, { op: GatewayOp.HeartbeatAck });
        break;
      case GatewayOp.Identify:
        this.#identify(connection, payload.d as Json);
        break;
      case GatewayOp.Resume:
        this.#resume(connection, payload.d as Json);
        break;
      case GatewayOp.PresenceUpdate:
      case GatewayOp.VoiceStateUpdate:
      case GatewayOp.RequestGuildMembers:
        break;
      default:
        connection.socket.close(4001, 'Unknown opcode.');
    }
    this.#changed();
  }

  #identify(connection: FakeGatewayConnection, d: Json | undefined): void {
    if (connection.session) {
      connection.socket.close(4005, 'Already authenticated.');
      return;
    }
    if (!d || d['token'] !== this.options.token) {
      connection.socket.close(4004, 'Authentication failed.');
      return;
    }
    const intents = typeof d['intents'] === 'number' ? d['intents'] : 0;
    if ((intents & this.options.disallowedIntents) !== 0) {
      connection.socket.close(4014, 'Disallowed intent(s).');
      return;
    }
    this.identifies += 1;
    const session: FakeSession = {
      id: randomBytes(16).toString('hex'),
      seq: 0,
      intents,
      events: [],
      invalid: false,
    };
    this.sessions.set(session.id, session);
    session.connection = connection;
    connection.session = session;
    const bot = this.world.users.get(this.world.botId)!;
    this.#dispatchTo(session, 'READY', {
      v: 10,
      user: { ...apiUser(bot), verified: true, mfa_enabled: false, flags: 0, email: null },
      guilds: [{ id: this.world.guildId, unavailable: true }],
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.urls().ws,
      shard: [0, 1],
      application: { id: this.world.botId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      user_settings: {},
    });
    if (intents & FakeIntent.Guilds) this.#dispatchTo(session, 'GUILD_CREATE', apiGuildCreate(this.world));
  }

  #resume(connection: FakeGatewayConnection, d: Json | undefined): void {
    const session = typeof d?.['session_id'] === 'string' ? this.sessions.get(d['session_id']) : undefined;
    const seq = typeof d?.['seq'] === 'number' ? d['seq'] : -1;
    if (!session || session.invalid || d?.['token'] !== this.options.token || seq > session.seq) {
      this.#send(connection, { op: GatewayOp.InvalidSession, d: false });
      return;
    }
    this.resumes += 1;
    const previous = session.connection;
    if (previous && previous !== connection) {
      previous.session = undefined;
      previous.socket.terminate();
    }
    session.connection = connection;
    session.disconnectedAt = undefined;
    connection.session = session;
    const from = Math.max(0, seq - this.replayOverlap);
    for (const event of session.events) {
      if (event.s > from && !this.#silent)
        this.#send(connection, { op: GatewayOp.Dispatch, t: event.t, s: event.s, d: event.d });
    }
    this.#dispatchTo(session, 'RESUMED', { _trace: ['fake-discord'] });
  }

  /** Sends one dispatch to every live session whose intents cover it; returns the sequence numbers used. */
  dispatch(t: string, d: Json, needs: number = 0, transform?: (d: Json, intents: number) => Json): number[] {
    const seqs: number[] = [];
    const now = Date.now();
    for (const session of this.sessions.values()) {
      if (session.invalid) continue;
      if (
        !session.connection &&
        session.disconnectedAt !== undefined &&
        now - session.disconnectedAt > this.options.resumeWindowMs
      ) {
        this.sessions.delete(session.id);
        continue;
      }
      if ((session.intents & needs) !== needs) continue;
      seqs.push(this.#dispatchTo(session, t, transform ? transform(d, session.intents) : d));
    }
    return seqs;
  }

  #dispatchTo(session: FakeSession, t: string, d: unknown): number {
    session.seq += 1;
    const event: Dispatch = { s: session.seq, t, d };
    session.events.push(event);
    if (session.events.length > this.options.replayBufferSize) session.events.shift();
    if (session.connection && !this.#silent)
      this.#send(session.connection, { op: GatewayOp.Dispatch, t, s: event.s, d });
    this.#changed();
    return event.s;
  }

  #send(connection: FakeGatewayConnection, payload: Json): void {
    if (connection.socket.readyState !== connection.socket.OPEN) return;
    connection.socket.send(JSON.stringify(payload));
  }

  /** Open client sockets. */
  get open(): FakeGatewayConnection[] {
    return this.connections.filter((c) => c.closedAt === undefined);
  }

  /** Sends raw text, bytes or an object to every open connection, as it is (garbage tests). */
  sendRaw(data: string | Buffer | Json): number {
    const open = this.open;
    for (const c of open) {
      if (Buffer.isBuffer(data)) c.socket.send(data, { binary: true });
      else c.socket.send(typeof data === 'string' ? data : JSON.stringify(data));
    }
    return open.length;
  }

  /** Kills every open socket without a close frame, like a network cut. */
  dropConnections(): number {
    const open = this.open;
    for (const c of open) {
      c.socket.terminate();
      this.#detach(c);
    }
    return open.length;
  }

  closeConnections(code: number, reason = ''): number {
    const open = this.open;
    for (const c of open) c.socket.close(code, reason);
    return open.length;
  }

  /** op 7: Discord asks the client to reconnect and resume. */
  requestReconnect(): void {
    for (const c of this.open) this.#send(c, { op: GatewayOp.Reconnect, d: null });
  }

  /** op 9 on every open connection; `resumable: false` also forgets the sessions. */
  invalidateSessions(resumable = false): void {
    for (const c of this.open) {
      if (!resumable && c.session) c.session.invalid = true;
      this.#send(c, { op: GatewayOp.InvalidSession, d: resumable });
    }
    if (!resumable) for (const s of this.sessions.values()) s.invalid = true;
  }

  /** The next RESUME of any existing session gets INVALID_SESSION (d: false), forcing a new IDENTIFY. */
  forgetSessions(): void {
    for (const s of this.sessions.values()) s.invalid = true;
  }

  /**
   * Zombie mode: heartbeats on the open connections are no longer acknowledged. With `ignoreClose`
   * the fake also stops reading those sockets, so the client's close handshake never completes.
   */
  setZombie(on: boolean, options: { ignoreClose?: boolean } = {}): void {
    this.#zombieIgnoresClose = on && options.ignoreClose === true;
    for (const c of this.open) {
      c.zombie = on;
      const raw = (c.socket as unknown as { _socket?: { pause(): void; resume(): void } })._socket;
      if (this.#zombieIgnoresClose) raw?.pause();
      else raw?.resume();
    }
  }

  /**
   * A stalled gateway: sockets stay open (new ones get HELLO) but no heartbeat is acknowledged and no
   * dispatch is sent on any connection, present or future. Dispatches are still kept for a later RESUME.
   */
  setSilent(on: boolean): void {
    this.#silent = on;
  }

  get silent(): boolean {
    return this.#silent;
  }

  /** Sockets held paused by zombie mode are cut so nothing lingers. */
  releaseZombies(): void {
    for (const c of this.connections) {
      if (c.zombie && c.closedAt === undefined) c.socket.terminate();
    }
  }

  close(): void {
    for (const c of this.connections) c.socket.terminate();
    this.#wss.close();
    this.#listeners.clear();
  }
}
