import type { WebSocketShard, WebSocketShardDestroyOptions } from '@discordjs/ws';
import { type BackoffPolicy, backoffDelay } from '@hermes/adapter-core';

/** What the adapter learns about one shard's connection, for ctx.status and the log. */
export interface ShardConnectionHooks {
  /** A reconnect attempt is about to wait `delayMs` and then open a new socket. */
  onAttempt(info: { shardId: number; attempt: number; delayMs: number }): void;
  /** A closing socket ignored its close handshake for closeTimeoutMs and was cut. */
  onCloseTimeout(info: { shardId: number; timeoutMs: number }): void;
  /** A text frame that is not JSON, or a binary frame (compression is off): discord.js drops them silently. */
  onGarbageFrame(info: { shardId: number; bytes: number; binary: boolean; sample: string }): void;
  /** HELLO (op 10) arrived: heartbeats are due every `intervalMs` on this connection. */
  onHello(info: { shardId: number; intervalMs: number }): void;
  /** A heartbeat ACK (op 11) arrived: the connection is alive. */
  onHeartbeatAck(info: { shardId: number }): void;
}

export interface ShardControlOptions {
  shardId: number;
  backoff: BackoffPolicy;
  closeTimeoutMs: number;
  hooks: ShardConnectionHooks;
  random?: () => number;
}

/** The parts of the `ws` client socket the control touches. */
interface ClientSocket {
  readyState: number;
  terminate(): void;
}

/** A frame as @discordjs/ws hands it to unpackMessage: a string for text, an ArrayBuffer for binary. */
type FrameData = string | ArrayBuffer | Uint8Array;

const CONNECTING = 0;
const OPEN = 1;

/** The private members of @discordjs/ws 1.2.3's WebSocketShard that the control wraps. */
interface ShardInternals {
  internalConnect?: () => Promise<void>;
  /** Parses one frame (null when it cannot); the only JSON.parse of a gateway frame. */
  unpackMessage?: (data: FrameData, isBinary: boolean) => Promise<unknown>;
  connection?: ClientSocket | null;
}

/**
 * Adds what @discordjs/ws lacks to one shard, without forking it:
 * - a growing, jittered pause before every reconnect (it only waits a fixed 0.5 s, so a dead gateway is
 *   hammered twice a second forever);
 * - no reconnect once the shard was destroyed for good (its 0.5 s timer would otherwise reopen a socket
 *   after client.destroy());
 * - a bound on the close handshake, so a zombie peer that never answers cannot hold the reconnect for
 *   ws's 30 s default, and a socket still opening when we stop is cut instead of left open;
 * - a frame inspector that reports garbage frames discord.js would swallow without a trace.
 * It wraps `internalConnect` and `unpackMessage`, private methods of WebSocketShard; the version is
 * pinned and a test fails if either disappears.
 */
export class ShardControl {
  #attempt = 0;
  #stopped = false;
  #connectedOnce = false;
  #sessionUp = false;
  #sleeper: AbortController | undefined;

  constructor(
    private readonly shard: WebSocketShard,
    private readonly options: ShardControlOptions,
  ) {
    const internals = shard as unknown as ShardInternals;
    const connect = internals.internalConnect;
    const unpack = internals.unpackMessage;
    if (typeof connect !== 'function' || typeof unpack !== 'function') {
      throw new Error(
        `@discordjs/ws WebSocketShard has no ${typeof connect !== 'function' ? 'internalConnect' : 'unpackMessage'}(): this @discordjs/ws version is not supported, install the version @hermes/adapter-discord pins`,
      );
    }
    const originalConnect = connect.bind(shard);
    internals.internalConnect = () => this.#connect(originalConnect);
    const originalUnpack = unpack.bind(shard);
    internals.unpackMessage = (data, isBinary) => this.#inspect(originalUnpack, data, isBinary);
    const originalDestroy = shard.destroy.bind(shard);
    shard.destroy = (destroyOptions?: WebSocketShardDestroyOptions) =>
      this.#destroy(originalDestroy, destroyOptions);
    shard.on('ready', () => this.#up());
    shard.on('resumed', () => this.#up());
    shard.on('closed', () => {
      this.#sessionUp = false;
    });
    // A heartbeat acknowledged on a fresh session proves the gateway works again: start the backoff over.
    // @discordjs/ws 1.2.3 emits WebSocketShardEvents.HeartbeatComplete ('heartbeat') when op 11 arrives;
    // discord.js's client.ws ping is computed from the same event, so it is the heartbeat ACK hook.
    shard.on('heartbeat', () => {
      if (this.#sessionUp) this.#attempt = 0;
      this.options.hooks.onHeartbeatAck({ shardId: this.options.shardId });
    });
    // The 'hello' event carries no payload and the HELLO frame is read before a listener could be added,
    // so heartbeat_interval comes from the debug line @discordjs/ws 1.2.3 writes once it starts beating.
    shard.on('debug', (payload: { message?: string }) => {
      const beat = /starting to beat every (\d+)ms/.exec(payload.message ?? '');
      if (beat) this.options.hooks.onHello({ shardId: this.options.shardId, intervalMs: Number(beat[1]) });
    });
  }

  /** Reconnect attempts since the last healthy session. */
  get attempt(): number {
    return this.#attempt;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  #up(): void {
    this.#sessionUp = true;
  }

  async #connect(original: () => Promise<void>): Promise<void> {
    if (this.#stopped) return;
    if (this.#connectedOnce) {
      this.#attempt += 1;
      const delayMs = backoffDelay(this.options.backoff, this.#attempt, this.options.random);
      this.options.hooks.onAttempt({ shardId: this.options.shardId, attempt: this.#attempt, delayMs });
      if (delayMs > 0 && !(await this.#sleep(delayMs))) return;
      if (this.#stopped) return;
    }
    this.#connectedOnce = true;
    return original();
  }

  /** Resolves false when stopped during the pause. */
  #sleep(ms: number): Promise<boolean> {
    const controller = new AbortController();
    this.#sleeper = controller;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        controller.signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      controller.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async #destroy(
    original: (o?: WebSocketShardDestroyOptions) => Promise<void>,
    destroyOptions: WebSocketShardDestroyOptions = {},
  ): Promise<void> {
    const final = destroyOptions.recover === undefined;
    if (final) {
      this.#stopped = true;
      this.#sleeper?.abort();
    }
    const socket = (this.shard as unknown as ShardInternals).connection ?? undefined;
    const cut = socket ? setTimeout(() => this.#cut(socket), this.options.closeTimeoutMs) : undefined;
    try {
      await original(destroyOptions);
    } finally {
      if (cut) clearTimeout(cut);
    }
    // discord.js only closes OPEN sockets; one still in its opening handshake would stay open forever.
    if (final && socket && (socket.readyState === CONNECTING || socket.readyState === OPEN))
      socket.terminate();
  }

  #cut(socket: ClientSocket): void {
    if (socket.readyState !== CONNECTING && socket.readyState !== OPEN && socket.readyState !== 2) return;
    this.options.hooks.onCloseTimeout({
      shardId: this.options.shardId,
      timeoutMs: this.options.closeTimeoutMs,
    });
    socket.terminate();
  }

  /**
   * Looks at what @discordjs/ws parsed rather than parsing every frame a second time (a listener of our
   * own on the socket used to decode and JSON.parse each frame again, MESSAGE_CREATEs included).
   * Compression is off, so a binary frame is garbage too.
   */
  async #inspect(
    original: (data: FrameData, isBinary: boolean) => Promise<unknown>,
    data: FrameData,
    isBinary: boolean,
  ): Promise<unknown> {
    const payload = await original(data, isBinary);
    if (isBinary) this.#garbage(data, true);
    else if (
      typeof payload !== 'object' ||
      payload === null ||
      typeof (payload as { op?: unknown }).op !== 'number'
    )
      this.#garbage(data, false);
    return payload;
  }

  #garbage(data: FrameData, binary: boolean): void {
    const text = typeof data === 'string' ? data : binary ? '' : Buffer.from(toBytes(data)).toString('utf8');
    this.options.hooks.onGarbageFrame({
      shardId: this.options.shardId,
      bytes: typeof data === 'string' ? Buffer.byteLength(data) : toBytes(data).byteLength,
      binary,
      sample: text.slice(0, 60),
    });
  }
}

function toBytes(data: ArrayBuffer | Uint8Array): Uint8Array {
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
