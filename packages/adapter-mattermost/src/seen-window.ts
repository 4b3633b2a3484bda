/**
 * Where a catch-up after a reconnect starts, and which posts near that point were already handled.
 * Every post read (answered, ignored or the bot's own) moves the mark to its server time; posts in the
 * last `overlapMs` before the mark are remembered by id, because the catch-up asks the server for that
 * overlap again (server clocks of a cluster and same-millisecond posts are not exact). Posts older than
 * the overlap are never asked for, so nothing older can come back, however long ago it was handled.
 */
export class SeenWindow {
  readonly overlapMs: number;
  #mark: number | undefined;
  /** Nothing posted before the adapter started is ever fetched: the bot must not answer old messages. */
  #floor = Number.NEGATIVE_INFINITY;
  readonly #recent = new Map<string, number>();

  constructor(overlapMs: number) {
    this.overlapMs = overlapMs;
  }

  /** Server time (ms) the next catch-up starts from, overlap included; undefined before the first mark. */
  get from(): number | undefined {
    return this.#mark === undefined ? undefined : Math.max(this.#mark - this.overlapMs, this.#floor);
  }

  /**
   * Sets the first mark from the server's clock at the first connect, unless posts already set one. The
   * HTTP Date header has whole seconds: a post from the start's own second may come through, nothing older.
   */
  start(serverTime: number): void {
    if (this.#mark !== undefined) return;
    this.#mark = serverTime;
    this.#floor = serverTime;
  }

  note(id: string, createAt: number): void {
    if (this.#mark === undefined || createAt > this.#mark) this.#mark = createAt;
    const from = this.#mark - this.overlapMs;
    if (createAt >= from) this.#recent.set(id, createAt);
    if (this.#recent.size > 64) for (const [key, at] of this.#recent) if (at < from) this.#recent.delete(key);
  }

  /** True for a post the catch-up must skip: inside the overlap and already handled. */
  handled(id: string): boolean {
    return this.#recent.has(id);
  }
}
