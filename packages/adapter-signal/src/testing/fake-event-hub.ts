import type { ServerResponse } from 'node:http';

/**
 * The fake daemon's `GET /api/v1/events` side: an ordered log of `receive` events and the open streams.
 *
 * Unlike the real daemon, it replays: events that arrive while no stream is open wait in the log (the real
 * daemon with --receive-mode=on-connection leaves them on Signal's servers instead), each event carries an
 * SSE id, and a client that reconnects with Last-Event-ID resumes after it. On top of that the fake
 * rewinds `replayOverlap` events, as a redelivering server would, so the adapter's dedupe must remove them.
 */
export class FakeEventHub {
  readonly #log: string[] = [];
  readonly #streams = new Set<ServerResponse>();
  readonly #replayOverlap: number;
  #cursor = 0;
  #total = 0;
  #keepAlive: NodeJS.Timeout | undefined;
  #silent = false;

  constructor(options: { replayOverlap: number; keepAliveMs: number }) {
    this.#replayOverlap = options.replayOverlap;
    if (options.keepAliveMs > 0) {
      this.#keepAlive = setInterval(() => this.#writeAll(':\n'), options.keepAliveMs);
      this.#keepAlive.unref();
    }
  }

  /** Streams open now. */
  get openStreams(): number {
    return this.#streams.size;
  }

  /** Streams ever opened. */
  get totalStreams(): number {
    return this.#total;
  }

  /** Events not yet written to any stream. */
  get pending(): number {
    return this.#log.length - this.#cursor;
  }

  /** While silent, the fake writes nothing (no events, no keepalives): a stream that looks alive but is dead. */
  setSilent(silent: boolean): void {
    this.#silent = silent;
    if (!silent) this.#flush();
  }

  /**
   * A new stream. With `lastEventId` (the SSE Last-Event-ID header, which the real daemon ignores) the fake
   * resumes right after that event, minus the overlap; without it, from where its cursor stands.
   */
  attach(res: ServerResponse, lastEventId?: string): void {
    const seen = lastEventId === undefined ? Number.NaN : Number(lastEventId);
    if (Number.isInteger(seen) && seen >= 0 && seen <= this.#log.length) {
      this.#cursor = Math.max(0, seen - this.#replayOverlap);
    }
    this.#streams.add(res);
    this.#total += 1;
    res.on('close', () => this.#detach(res));
    this.#flush();
  }

  /** Forgets a stream that ended and steps the cursor back, once per stream. */
  #detach(res: ServerResponse): void {
    if (!this.#streams.delete(res)) return;
    this.#cursor = Math.max(0, this.#cursor - this.#replayOverlap);
  }

  /** Appends one event (its JSON data line) and writes it if a stream is open. */
  push(data: string): void {
    this.#log.push(data);
    this.#flush();
  }

  /** Destroys every open stream's socket without an end: what a crashed daemon or a dead network does. */
  drop(): void {
    for (const res of [...this.#streams]) {
      // Detached before the socket goes, so nothing is written into a socket that is already dead.
      this.#detach(res);
      res.socket?.destroy();
    }
  }

  close(): void {
    clearInterval(this.#keepAlive);
    for (const res of this.#streams) res.destroy();
    this.#streams.clear();
  }

  #flush(): void {
    for (const res of [...this.#streams]) if (res.destroyed || res.socket?.destroyed) this.#detach(res);
    if (this.#silent || this.#streams.size === 0) return;
    while (this.#cursor < this.#log.length) {
      const data = this.#log[this.#cursor]!;
      this.#cursor += 1;
      // The daemon's framing (`event:receive`, one `data:` line) plus an id, which the real daemon omits.
      this.#writeAll(`id:${this.#cursor}\nevent:receive\ndata:${data}\n\n`);
    }
  }

  #writeAll(frame: string): void {
    if (this.#silent) return;
    for (const res of this.#streams) if (!res.destroyed) res.write(frame);
  }
}
