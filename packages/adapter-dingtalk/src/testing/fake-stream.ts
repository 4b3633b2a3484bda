import { randomUUID } from 'node:crypto';
import type { FakeServer } from '@hermes/adapter-testkit';
import WebSocket from 'ws';

/** One CALLBACK frame the fake pushed and is waiting to see acknowledged. */
interface Pending {
  messageId: string;
  frame: string;
}

export interface FakeDingtalkStreamStats {
  /** Callbacks not acknowledged yet (they are pushed again on the next connection). */
  unacked: number;
  /** Frames written to a socket, redeliveries included. */
  written: number;
  /** Callbacks pushed again on a new connection. */
  redelivered: number;
  acks: number;
}

/**
 * The Stream Mode half of the fake: one-time tickets from connections/open, the socket at
 * `/gateway/stream?ticket=`, CALLBACK frames with DingTalk's envelope, client acks matched by
 * `headers.messageId`, and, as DingTalk does, every unacknowledged callback pushed again on the next
 * connection.
 */
export class FakeDingtalkStream {
  readonly #server: FakeServer;
  readonly #tickets = new Set<string>();
  readonly #pending = new Map<string, Pending>();
  readonly #appId: string;
  #live: WebSocket | undefined;
  #written = 0;
  #redelivered = 0;
  #acks = 0;
  /** Every topic the client subscribed to through connections/open. */
  readonly subscriptions: string[][] = [];

  constructor(server: FakeServer, appId: string) {
    this.#server = server;
    this.#appId = appId;
    server.onWebSocket((socket, req) => this.#accept(socket, req.url ?? ''));
  }

  /** A ticket for connections/open; each works once. */
  issueTicket(topics: string[]): string {
    const ticket = randomUUID();
    this.#tickets.add(ticket);
    this.subscriptions.push(topics);
    return ticket;
  }

  /** Pushes a robot message; it stays pending until the client acks it. Returns the frame's messageId. */
  pushCallback(topic: string, data: unknown): string {
    const messageId = `stream-${randomUUID()}`;
    const frame = JSON.stringify({
      specVersion: '1.0',
      type: 'CALLBACK',
      headers: {
        appId: this.#appId,
        connectionId: 'fake-connection',
        contentType: 'application/json',
        messageId,
        time: String(Date.now()),
        topic,
      },
      data: JSON.stringify(data),
    });
    this.#pending.set(messageId, { messageId, frame });
    this.#write(frame);
    return messageId;
  }

  /** A SYSTEM frame (`ping`, `disconnect`, `KEEPALIVE`) to the live socket. */
  pushSystem(topic: string): void {
    this.#write(
      JSON.stringify({
        specVersion: '1.0',
        type: 'SYSTEM',
        headers: {
          contentType: 'application/json',
          messageId: `sys-${randomUUID()}`,
          time: String(Date.now()),
          topic,
        },
        data: '{}',
      }),
    );
  }

  /** Anything at all to the live socket, for malformed-frame tests. */
  pushRaw(text: string): void {
    this.#write(text);
  }

  /** Cuts the live socket: `close` with a close frame, `terminate` like a network cut. */
  drop(mode: 'close' | 'terminate'): number {
    return mode === 'close' ? this.#server.closeSockets(1001, 'fake drop') : this.#server.dropSockets();
  }

  get online(): boolean {
    return this.#live?.readyState === WebSocket.OPEN;
  }

  stats(): FakeDingtalkStreamStats {
    return {
      unacked: this.#pending.size,
      written: this.#written,
      redelivered: this.#redelivered,
      acks: this.#acks,
    };
  }

  #write(frame: string): void {
    const socket = this.#live;
    if (socket?.readyState !== WebSocket.OPEN) return;
    this.#written++;
    socket.send(frame);
  }

  #accept(socket: WebSocket, url: string): void {
    const ticket = new URL(url, 'http://fake').searchParams.get('ticket') ?? '';
    if (!this.#tickets.delete(ticket)) {
      socket.close(4001, 'invalid or used ticket');
      return;
    }
    this.#live = socket;
    socket.on('message', (data) => this.#onClientFrame(data.toString()));
    socket.on('close', () => {
      if (this.#live === socket) this.#live = undefined;
    });
    for (const pending of this.#pending.values()) {
      this.#redelivered++;
      this.#write(pending.frame);
    }
  }

  #onClientFrame(text: string): void {
    let frame: { code?: unknown; headers?: { messageId?: unknown } };
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    const id = frame.headers?.messageId;
    if (frame.code === 200 && typeof id === 'string' && this.#pending.delete(id)) this.#acks++;
  }
}
