import type { FakeServer } from '@hermes/adapter-testkit';
import { decodePbbp2Frame, encodePbbp2Frame, frameHeader, PBBP2_METHOD } from './pbbp2.js';

type FakeSocket = Parameters<Parameters<FakeServer['onWebSocket']>[0]>[0];

/** An event pushed over the long connection, kept until the client acks it (Feishu redelivers otherwise). */
export interface FakePushedEvent {
  frameMessageId: string;
  payload: Buffer;
  acked: boolean;
  sentAt: number;
  /** The `data` of the client's ack (a card callback's answer), decoded. */
  response?: unknown;
}

export interface FakeLongConnectionOptions {
  /** What the endpoint and every pong carry (seconds). */
  clientConfig: Record<string, number>;
  redeliverAfterMs: number;
  nextId(prefix: string): string;
}

/**
 * The WebSocket side of the fake: `pbbp2.Frame` protobuf, events with `type=event` headers, acks read back,
 * pongs carrying the client config, unacked events pushed again (oldest first) after `redeliverAfterMs`
 * and to every new connection.
 */
export class FakeLongConnection {
  readonly #server: FakeServer;
  readonly #o: FakeLongConnectionOptions;
  readonly #pending: FakePushedEvent[] = [];
  readonly #byId = new Map<string, FakePushedEvent>();
  /** Sockets that spoke first (the SDK pings on open): frames written in the same breath as the upgrade can
   * reach the SDK before it listens for them. */
  readonly #ready = new WeakSet<FakeSocket>();
  readonly #timer: ReturnType<typeof setInterval>;
  connections = 0;

  constructor(server: FakeServer, options: FakeLongConnectionOptions) {
    this.#server = server;
    this.#o = options;
    server.onWebSocket((socket) => this.#accept(socket));
    this.#timer = setInterval(
      () => {
        const due = this.#pending.filter((p) => Date.now() - p.sentAt >= options.redeliverAfterMs);
        for (const socket of this.#readySockets()) for (const p of due) this.#send(socket, p);
      },
      Math.max(50, Math.floor(options.redeliverAfterMs / 2)),
    );
    this.#timer.unref();
  }

  get unacked(): number {
    return this.#pending.length;
  }

  /** A string goes out verbatim (a payload that is not JSON); anything else is JSON-encoded. */
  push(body: unknown): string {
    const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const p: FakePushedEvent = { frameMessageId: this.#o.nextId('ev_'), payload, acked: false, sentAt: 0 };
    this.#pending.push(p);
    this.#byId.set(p.frameMessageId, p);
    for (const socket of this.#readySockets()) this.#send(socket, p);
    return p.frameMessageId;
  }

  /** Writes raw bytes to every open socket; returns how many. */
  raw(bytes: Buffer, readyOnly = false): number {
    let n = 0;
    for (const socket of readyOnly ? this.#readySockets() : this.#server.sockets) {
      socket.send(bytes);
      n++;
    }
    return n;
  }

  event(frameMessageId: string): FakePushedEvent | undefined {
    return this.#byId.get(frameMessageId);
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #readySockets(): FakeSocket[] {
    return [...this.#server.sockets].filter((s) => this.#ready.has(s));
  }

  #send(socket: FakeSocket, p: FakePushedEvent): void {
    if (socket.readyState !== socket.OPEN) return;
    p.sentAt = Date.now();
    socket.send(
      encodePbbp2Frame({
        SeqID: 0,
        LogID: 0,
        service: 7,
        method: PBBP2_METHOD.data,
        headers: [
          { key: 'type', value: 'event' },
          { key: 'message_id', value: p.frameMessageId },
          { key: 'sum', value: '1' },
          { key: 'seq', value: '0' },
          { key: 'trace_id', value: `tr-${p.frameMessageId}` },
        ],
        payload: p.payload,
      }),
    );
  }

  #accept(socket: FakeSocket): void {
    this.connections++;
    socket.on('message', (data: Buffer) => {
      if (!this.#ready.has(socket)) {
        this.#ready.add(socket);
        for (const p of [...this.#pending]) this.#send(socket, p);
      }
      let frame: ReturnType<typeof decodePbbp2Frame>;
      try {
        frame = decodePbbp2Frame(data);
      } catch {
        return;
      }
      if (frame.method === PBBP2_METHOD.control && frameHeader(frame, 'type') === 'ping') {
        socket.send(
          encodePbbp2Frame({
            SeqID: 0,
            LogID: 0,
            service: frame.service,
            method: PBBP2_METHOD.control,
            headers: [{ key: 'type', value: 'pong' }],
            payload: Buffer.from(JSON.stringify(this.#o.clientConfig)),
          }),
        );
        return;
      }
      if (frame.method === PBBP2_METHOD.data) this.#ack(frame);
    });
  }

  #ack(frame: ReturnType<typeof decodePbbp2Frame>): void {
    const id = frameHeader(frame, 'message_id');
    const p = id ? this.#byId.get(id) : undefined;
    if (!p) return;
    p.acked = true;
    try {
      const ack = JSON.parse(Buffer.from(frame.payload ?? []).toString('utf8')) as { data?: string };
      p.response = ack.data ? JSON.parse(Buffer.from(ack.data, 'base64').toString('utf8')) : undefined;
    } catch {
      p.response = undefined;
    }
    const index = this.#pending.indexOf(p);
    if (index >= 0) this.#pending.splice(index, 1);
  }
}
