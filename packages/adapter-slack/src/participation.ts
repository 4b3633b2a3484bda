/**
 * Threads the bot takes part in: it was mentioned there or it answered there. Inside such a thread a
 * follow-up needs no mention. Bounded: the least recently active threads are forgotten first.
 */
export class SlackThreadParticipation {
  readonly limit: number;
  // A Map keeps insertion order; re-inserting on every touch makes its first key the least recent.
  readonly #threads = new Map<string, number>();

  constructor(limit: number) {
    if (!(Number.isInteger(limit) && limit >= 1))
      throw new RangeError(`participation limit must be >= 1, got ${limit}`);
    this.limit = limit;
  }

  static key(channel: string, threadTs: string): string {
    return `${channel}:${threadTs}`;
  }

  has(channel: string, threadTs: string): boolean {
    return this.#threads.has(SlackThreadParticipation.key(channel, threadTs));
  }

  mark(channel: string, threadTs: string, at = Date.now()): void {
    const key = SlackThreadParticipation.key(channel, threadTs);
    this.#threads.delete(key);
    this.#threads.set(key, at);
    while (this.#threads.size > this.limit) {
      const oldest = this.#threads.keys().next().value;
      if (oldest === undefined) break;
      this.#threads.delete(oldest);
    }
  }

  get size(): number {
    return this.#threads.size;
  }

  /** `[channel:thread_ts, lastActiveMs]`, least recent first, for a host that persists it across restarts. */
  export(): Array<[string, number]> {
    return [...this.#threads];
  }

  /** Merges persisted entries; the newer time wins and only the `limit` most recent threads stay. */
  import(entries: Array<[string, number]>): void {
    const merged = new Map(this.#threads);
    for (const entry of entries) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isFinite(entry[1])) continue;
      const mine = merged.get(entry[0]);
      if (mine === undefined || mine < entry[1]) merged.set(entry[0], entry[1]);
    }
    this.#threads.clear();
    for (const [key, at] of [...merged].sort((a, b) => a[1] - b[1]).slice(-this.limit))
      this.#threads.set(key, at);
  }
}
