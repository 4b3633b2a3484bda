import { AdapterError, type Logger } from '@hermes/adapter-core';
import { MattermostApi, type MattermostUser } from './api.js';
import { fetchMissedPosts } from './catch-up.js';
import type { MattermostConfig } from './config.js';
import type { MattermostPayload } from './inbound.js';
import { MattermostRest } from './rest.js';
import { SeenWindow } from './seen-window.js';
import { type MattermostSocket, type MattermostSocketEvent, openMattermostSocket } from './socket.js';

/** How far before the last post seen a catch-up asks again (cluster clock skew, same-millisecond posts). */
export const CATCH_UP_OVERLAP_MS = 5_000;

export interface MattermostTransportOptions {
  config: MattermostConfig;
  logger: Logger;
  /** Each WebSocket event and each post fetched after a reconnect, in order. */
  onPayload(payload: MattermostPayload): void;
  onMalformed(problem: string): void;
  /** Any frame from the server. */
  onFrame(): void;
}

/**
 * The wire to Mattermost: REST v4 through Client4 and one WebSocket through the SDK's WebSocketClient.
 * Each connect checks the token (`GET /users/me`), opens the socket, and after a drop fetches what the
 * socket missed before it hands on the events that arrived meanwhile, so posts keep their order.
 */
export class MattermostTransport {
  readonly api: MattermostApi;
  readonly seen = new SeenWindow(CATCH_UP_OVERLAP_MS);
  readonly #o: MattermostTransportOptions;
  #identity: MattermostUser | undefined;
  #connectedBefore = false;
  #live: MattermostSocket | undefined;

  constructor(options: MattermostTransportOptions) {
    this.#o = options;
    this.api = new MattermostApi(
      new MattermostRest({
        url: options.config.url,
        token: options.config.token,
        requestTimeoutMs: options.config.requestTimeoutMs,
      }),
    );
  }

  /** The bot account, known after the first connect. */
  get identity(): MattermostUser | undefined {
    return this.#identity;
  }

  /** Pings over the live socket; resolves when the server answered. */
  ping(): Promise<void> {
    const live = this.#live;
    if (!live)
      return Promise.reject(
        new AdapterError('not_connected', 'Mattermost: no live WebSocket to ping', {
          platform: 'mattermost',
        }),
      );
    return live.ping();
  }

  async whoAmI(signal?: AbortSignal): Promise<MattermostUser> {
    return (await this.api.getMe(signal)).user;
  }

  async connect(signal: AbortSignal): Promise<MattermostSocket> {
    const me = await this.api.getMe(signal);
    this.#identity = me.user;
    this.seen.start(me.serverTime ?? Date.now());
    const held: MattermostSocketEvent[] = [];
    let holding = true;
    const socket = await openMattermostSocket(
      {
        url: this.api.websocketUrl(),
        token: this.#o.config.token,
        logger: this.#o.logger,
        helloTimeoutMs: Math.min(this.#o.config.requestTimeoutMs, 15_000),
        onEvent: (event) => {
          if (holding) held.push(event);
          else this.#o.onPayload({ source: 'event', event });
        },
        onMalformed: (problem) => this.#o.onMalformed(problem),
        onFrame: () => this.#o.onFrame(),
      },
      signal,
    );
    const from = this.seen.from;
    if (this.#connectedBefore && from !== undefined) {
      try {
        const missed = await fetchMissedPosts(this.api, from, this.#o.logger, signal);
        for (const item of missed) {
          if (this.seen.handled(idOf(item.post))) continue;
          this.#o.onPayload({ source: 'catch-up', post: item.post, channel: item.channel });
        }
      } catch (error) {
        // Without the catch-up posts would be lost: fail this connect, the supervisor tries again.
        socket.close('catch-up after reconnect failed');
        throw error;
      }
    }
    holding = false;
    for (const event of held.splice(0)) this.#o.onPayload({ source: 'event', event });
    this.#connectedBefore = true;
    this.#live = socket;
    void socket.closed.then(() => {
      if (this.#live === socket) this.#live = undefined;
    });
    return socket;
  }
}

function idOf(post: unknown): string {
  const id = (post as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : '';
}
