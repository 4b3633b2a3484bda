import { digitsOf } from './user-id.js';

/** Meta's customer-service window: free-form messages only within 24 h of the user's last message. */
export const CUSTOMER_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * When each user last wrote, to know whether a free-form message may be sent to them. Bounded: the users
 * who wrote least recently are forgotten first (for them a template is needed anyway, or soon will be).
 */
export class CustomerWindows {
  // Insertion order is recency order: a user is moved to the end each time they write.
  readonly #lastInbound = new Map<string, number>();
  readonly #now: () => number;
  readonly #maxUsers: number;

  constructor(now: () => number = Date.now, maxUsers = 50_000) {
    this.#now = now;
    this.#maxUsers = maxUsers;
  }

  /** The user wrote at `atMs` (the message's own timestamp: the window runs from when they wrote). */
  opened(userId: string, atMs: number): void {
    const key = digitsOf(userId);
    const known = this.#lastInbound.get(key);
    if (known !== undefined && known >= atMs) return;
    this.#lastInbound.delete(key);
    this.#lastInbound.set(key, Math.min(atMs, this.#now()));
    if (this.#lastInbound.size > this.#maxUsers) {
      const oldest = this.#lastInbound.keys().next().value;
      if (oldest !== undefined) this.#lastInbound.delete(oldest);
    }
  }

  /** Meta said the window is closed (error 131047): forget the user's last message. */
  closed(userId: string): void {
    this.#lastInbound.delete(digitsOf(userId));
  }

  isOpen(userId: string): boolean {
    const at = this.#lastInbound.get(digitsOf(userId));
    return at !== undefined && this.#now() - at < CUSTOMER_WINDOW_MS;
  }

  /** Open windows as `[user, lastInboundMs]`, for the state file. */
  export(): Array<[string, number]> {
    const now = this.#now();
    return [...this.#lastInbound.entries()].filter(([, at]) => now - at < CUSTOMER_WINDOW_MS);
  }

  import(entries: ReadonlyArray<readonly [string, number]>): void {
    for (const [user, at] of entries) this.opened(user, at);
  }
}
