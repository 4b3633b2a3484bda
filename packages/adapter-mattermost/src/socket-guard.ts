import WebSocket from 'ws';

/** What the SDK's WebSocketClient touches on the socket its `newWebSocketFn` returns. */
interface SdkSocketHandlers {
  onopen: ((event: object) => void) | null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null;
  onerror: ((event: object) => void) | null;
  onmessage: ((event: { data: string }) => void) | null;
}

export interface SocketGuardHooks {
  /** A frame that is not JSON, not an object, or an event without `event`/`seq`: dropped, never handed on. */
  onMalformed(problem: string): void;
  /** An event arrived with a sequence number other than the next one: events were lost on the way. */
  onGap(expected: number, got: number): void;
  /** Every answer to a client request (`seq_reply`), before the SDK sees it. */
  onReply(reply: Record<string, unknown>): void;
  /** The SDK threw while handling a frame (its own bug or a shape it did not expect). */
  onSdkError(error: unknown): void;
}

/** Frames larger than this are refused by ws (a post is at most 16383 runes plus metadata). */
const MAX_FRAME_BYTES = 8 * 1024 * 1024;

/**
 * The socket handed to `@mattermost/client`'s WebSocketClient. It is a `ws` socket underneath, and it
 * screens frames before the SDK sees them, because the SDK (11.9) calls `JSON.parse` on every frame without a
 * guard and, on a sequence mismatch, builds a `CloseEvent`, which Node 22 does not have: either would throw
 * inside a socket callback. Sequence gaps are reported to the adapter instead, which reconnects and fetches
 * the missed posts over REST.
 */
export class GuardedSocket implements SdkSocketHandlers {
  onopen: SdkSocketHandlers['onopen'] = null;
  onclose: SdkSocketHandlers['onclose'] = null;
  onerror: SdkSocketHandlers['onerror'] = null;
  onmessage: SdkSocketHandlers['onmessage'] = null;
  /** The last socket error, for the drop reason (ws always emits close after it). */
  lastError: Error | undefined;
  readonly #ws: WebSocket;
  readonly #hooks: SocketGuardHooks;
  #nextSeq = 0;

  constructor(url: string, hooks: SocketGuardHooks) {
    this.#hooks = hooks;
    this.#ws = new WebSocket(url, { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: 15_000 });
    this.#ws.on('open', () => this.onopen?.({ type: 'open' }));
    this.#ws.on('close', (code: number, reason: Buffer) =>
      this.onclose?.({ code, reason: reason.toString('utf8'), wasClean: code === 1000 }),
    );
    this.#ws.on('error', (error: Error) => {
      this.lastError = error;
    });
    this.#ws.on('message', (data: WebSocket.RawData, isBinary: boolean) => this.#onFrame(data, isBinary));
  }

  get readyState(): number {
    return this.#ws.readyState;
  }

  send(data: string): void {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(data);
  }

  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }

  /** Cuts the socket at once (no close handshake with a peer that may be gone). */
  terminate(): void {
    this.#ws.terminate();
  }

  #onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    if (isBinary) {
      this.#hooks.onMalformed('a binary WebSocket frame (Mattermost sends JSON text)');
      return;
    }
    const text = Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Buffer.concat(data as Buffer[]).toString('utf8');
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      this.#hooks.onMalformed(`a WebSocket frame that is not JSON (${text.length} bytes)`);
      return;
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      this.#hooks.onMalformed('a WebSocket frame that is not a JSON object');
      return;
    }
    const message = frame as Record<string, unknown>;
    if (message['seq_reply'] !== undefined) {
      this.#hooks.onReply(message);
      this.#handOn(text);
      return;
    }
    const seq = message['seq'];
    if (typeof message['event'] !== 'string' || typeof seq !== 'number' || !Number.isInteger(seq)) {
      this.#hooks.onMalformed('a WebSocket event without a string `event` or an integer `seq`');
      return;
    }
    if (seq !== this.#nextSeq) {
      this.#hooks.onGap(this.#nextSeq, seq);
      return;
    }
    this.#nextSeq = seq + 1;
    this.#handOn(text);
  }

  #handOn(text: string): void {
    try {
      this.onmessage?.({ data: text });
    } catch (error) {
      this.#hooks.onSdkError(error);
    }
  }
}
