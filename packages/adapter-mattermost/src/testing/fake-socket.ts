import { randomUUID } from 'node:crypto';
import type { FakeServer } from '@hermes/adapter-testkit';
import type { WebSocket } from 'ws';

/** One authenticated client socket and its event sequence (starts at 0 with `hello`). */
interface Session {
  socket: WebSocket;
  userId: string;
  seq: number;
}

export interface FakeSocketOptions {
  /** token → user id; a challenge with any other token fails. */
  userForToken(token: string): string | undefined;
}

/**
 * The `/api/v4/websocket` half of the fake: `authentication_challenge` → OK reply → `hello` (seq 0), then
 * server events with increasing `seq`, and answers (`seq_reply`) to `ping` and `user_typing`.
 */
export class FakeMattermostSockets {
  /** false: the server keeps the socket open but stops answering pings (a half-open connection). */
  answerPings = true;
  readonly #sessions = new Map<WebSocket, Session>();
  readonly #typing: Array<{ channelId: string; parentId: string }> = [];

  constructor(server: FakeServer, options: FakeSocketOptions) {
    server.onWebSocket((socket) => {
      socket.on('message', (data: Buffer) => this.#onFrame(socket, data.toString('utf8'), options));
      socket.on('close', () => this.#sessions.delete(socket));
    });
  }

  /** Authenticated sockets right now. */
  get authenticated(): number {
    return [...this.#sessions.values()].filter((s) => s.socket.readyState === s.socket.OPEN).length;
  }

  /** Typing indicators sent over the socket (`user_typing`). */
  get typing(): ReadonlyArray<{ channelId: string; parentId: string }> {
    return this.#typing;
  }

  /** Sends one server event to every authenticated socket, each with its own next seq. */
  broadcast(event: string, data: Record<string, unknown>, broadcast: Record<string, unknown>): number {
    let reached = 0;
    for (const session of this.#sessions.values()) {
      if (session.socket.readyState !== session.socket.OPEN) continue;
      session.socket.send(JSON.stringify({ event, data, broadcast, seq: session.seq }));
      session.seq += 1;
      reached += 1;
    }
    return reached;
  }

  /** Sends raw text to every authenticated socket without touching seq (garbage that is not an event). */
  sendRaw(text: string): number {
    let reached = 0;
    for (const session of this.#sessions.values()) {
      if (session.socket.readyState !== session.socket.OPEN) continue;
      session.socket.send(text);
      reached += 1;
    }
    return reached;
  }

  /** Skips `count` sequence numbers, as a server does when it dropped events for a slow client. */
  skipSequence(count: number): void {
    for (const session of this.#sessions.values()) session.seq += count;
  }

  #onFrame(socket: WebSocket, text: string, options: FakeSocketOptions): void {
    let frame: { action?: unknown; seq?: unknown; data?: unknown };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      socket.close(1003, 'invalid JSON');
      return;
    }
    const seq = typeof frame.seq === 'number' ? frame.seq : 0;
    const reply = (body: Record<string, unknown>) => socket.send(JSON.stringify({ ...body, seq_reply: seq }));
    if (frame.action === 'authentication_challenge') {
      const token = (frame.data as { token?: unknown } | undefined)?.token;
      const userId = typeof token === 'string' ? options.userForToken(token) : undefined;
      if (userId === undefined) {
        reply({
          status: 'FAIL',
          error: {
            id: 'api.web_socket_router.not_authenticated.app_error',
            message: 'Invalid or expired session, please login again.',
          },
        });
        socket.close(1008, 'not authenticated');
        return;
      }
      reply({ status: 'OK' });
      const session: Session = { socket, userId, seq: 0 };
      this.#sessions.set(socket, session);
      socket.send(
        JSON.stringify({
          event: 'hello',
          data: { connection_id: randomUUID(), server_version: '11.9.0.fake', server_hostname: 'fake' },
          broadcast: { omit_users: null, user_id: userId, channel_id: '', team_id: '' },
          seq: session.seq,
        }),
      );
      session.seq += 1;
      return;
    }
    if (!this.#sessions.has(socket)) {
      reply({
        status: 'FAIL',
        error: { id: 'api.web_socket_router.not_authenticated.app_error', message: 'not authenticated' },
      });
      return;
    }
    if (frame.action === 'ping') {
      if (!this.answerPings) return;
      reply({ status: 'OK', data: { text: 'pong', version: '11.9.0.fake', server_time: Date.now() } });
      return;
    }
    if (frame.action === 'user_typing') {
      const data = (frame.data ?? {}) as { channel_id?: unknown; parent_id?: unknown };
      this.#typing.push({
        channelId: String(data.channel_id ?? ''),
        parentId: String(data.parent_id ?? ''),
      });
      reply({ status: 'OK' });
      return;
    }
    reply({ status: 'OK' });
  }
}
