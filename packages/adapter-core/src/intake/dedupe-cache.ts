import { AdapterError } from '../errors.js';

export interface DedupeCacheOptions {
  /** Default 1000 (WeCom's window). */
  maxEntries?: number;
  /** Default 300 000 (5 minutes). */
  ttlMs?: number;
  now?: () => number;
}

interface Entry {
  key: string;
  /** When the key was last marked. */
  at: number;
  older: Entry | undefined;
  newer: Entry | undefined;
}

/**
 * Remembers message keys for a while so that a platform's redelivery is not handled twice.
 *
 * Entries sit in a Map for lookup and in a doubly linked list from oldest to newest, which is also time
 * order, so eviction and expiry only ever look at the oldest end and every operation is O(1). (A Map's
 * own insertion order is not enough: in V8, finding the first entry of a Map that keeps deleting from its
 * front walks over the deleted slots, which made eviction O(capacity); bench/intake-dedupe.bench.mjs
 * measures it.)
 */
export class DedupeCache {
  readonly maxEntries: number;
  readonly ttlMs: number;
  readonly #now: () => number;
  readonly #index = new Map<string, Entry>();
  #oldest: Entry | undefined;
  #newest: Entry | undefined;

  constructor(options: DedupeCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 1000;
    this.ttlMs = options.ttlMs ?? 300_000;
    this.#now = options.now ?? Date.now;
    if (!(Number.isInteger(this.maxEntries) && this.maxEntries >= 1)) {
      throw new AdapterError(
        'config_invalid',
        `DedupeCache maxEntries must be a whole number >= 1, got ${this.maxEntries}`,
      );
    }
    if (!(this.ttlMs > 0)) {
      throw new AdapterError('config_invalid', `DedupeCache ttlMs must be > 0, got ${this.ttlMs}`);
    }
  }

  /**
   * True if the key was seen within the TTL. Otherwise marks it and returns false. A repeat sighting
   * refreshes the entry, so a message redelivered again and again stays recognised.
   */
  seen(key: string): boolean {
    const now = this.#now();
    const entry = this.#index.get(key);
    const known = entry !== undefined && !this.#expired(entry.at, now);
    this.#touch(key, entry, now);
    return known;
  }

  /** Pure lookup: does not mark or refresh. Expired entries count as unseen. */
  has(key: string): boolean {
    const entry = this.#index.get(key);
    if (entry === undefined) return false;
    if (this.#expired(entry.at, this.#now())) {
      this.#remove(entry);
      return false;
    }
    return true;
  }

  mark(key: string): void {
    this.#touch(key, this.#index.get(key), this.#now());
  }

  delete(key: string): void {
    const entry = this.#index.get(key);
    if (entry) this.#remove(entry);
  }

  get size(): number {
    this.#prune(this.#now());
    return this.#index.size;
  }

  /** Live entries as `[key, markedAtMs]`, oldest first, for the host to persist across restarts. */
  export(): Array<[string, number]> {
    this.#prune(this.#now());
    const out: Array<[string, number]> = [];
    for (let e = this.#oldest; e; e = e.newer) out.push([e.key, e.at]);
    return out;
  }

  /**
   * Merges persisted entries (e.g. from before a restart). Expired or malformed ones are skipped; when both
   * sides know a key the newer time wins; the result is trimmed to `maxEntries`, newest kept.
   */
  import(entries: Array<[string, number]>): void {
    const now = this.#now();
    const merged = new Map<string, number>(this.export());
    for (const entry of entries) {
      if (!Array.isArray(entry)) continue;
      const [key, at] = entry;
      if (typeof key !== 'string' || typeof at !== 'number' || !Number.isFinite(at)) continue;
      // A time from the future (clock skew between hosts) is clamped so it cannot outlive the TTL.
      const when = Math.min(at, now);
      if (this.#expired(when, now)) continue;
      const mine = merged.get(key);
      if (mine === undefined || mine < when) merged.set(key, when);
    }
    const sorted = [...merged].sort((a, b) => a[1] - b[1]).slice(-this.maxEntries);
    this.#index.clear();
    this.#oldest = undefined;
    this.#newest = undefined;
    for (const [key, at] of sorted) this.#append({ key, at, older: undefined, newer: undefined });
  }

  /** Moves the key to the newest end with a fresh time (creating it if needed), then evicts. */
  #touch(key: string, existing: Entry | undefined, now: number): void {
    if (existing) this.#unlink(existing);
    const entry: Entry = existing ?? { key, at: now, older: undefined, newer: undefined };
    entry.at = now;
    this.#append(entry);
    this.#prune(now);
  }

  #expired(at: number, now: number): boolean {
    return now - at >= this.ttlMs;
  }

  #prune(now: number): void {
    let e = this.#oldest;
    while (e && (this.#index.size > this.maxEntries || this.#expired(e.at, now))) {
      const next = e.newer;
      this.#remove(e);
      e = next;
    }
  }

  #append(entry: Entry): void {
    entry.older = this.#newest;
    entry.newer = undefined;
    if (this.#newest) this.#newest.newer = entry;
    else this.#oldest = entry;
    this.#newest = entry;
    this.#index.set(entry.key, entry);
  }

  #unlink(entry: Entry): void {
    if (entry.older) entry.older.newer = entry.newer;
    else this.#oldest = entry.newer;
    if (entry.newer) entry.newer.older = entry.older;
    else this.#newest = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
  }

  #remove(entry: Entry): void {
    this.#unlink(entry);
    this.#index.delete(entry.key);
  }
}

/** The dedupe key the architecture asks for: platform + account + message id, unambiguous when joined. */
export function dedupeKey(platform: string, account: string, messageId: string): string {
  return `${platform.length}:${platform}|${account.length}:${account}|${messageId}`;
}
