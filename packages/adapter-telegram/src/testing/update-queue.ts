/** An update waiting in the fake, with the id that orders it (the payload may lack `update_id` on purpose). */
export interface QueuedUpdate {
  id: number;
  payload: unknown;
}

interface Waiter {
  offset: number;
  limit: number;
  resolve(updates: QueuedUpdate[]): void;
}

/** Confirmed updates kept for `replay` faults. */
const HISTORY = 1000;

/**
 * Telegram's update queue: updates stay until a getUpdates call with a higher offset confirms them; a long
 * poll waits until something arrives or its timeout passes.
 */
export class FakeUpdateQueue {
  #nextId: number;
  readonly #pending: QueuedUpdate[] = [];
  readonly #confirmed: QueuedUpdate[] = [];
  readonly #waiters = new Set<Waiter>();

  constructor(firstId: number) {
    this.#nextId = firstId;
  }

  /** Unconfirmed updates. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Highest id handed out so far. */
  get lastId(): number {
    return this.#nextId - 1;
  }

  /** Appends an update built for its new id and wakes a waiting long poll. */
  push(build: (id: number) => unknown): number {
    const id = this.#nextId++;
    this.#pending.push({ id, payload: build(id) });
    for (const waiter of [...this.#waiters]) {
      const ready = this.#available(waiter.offset, waiter.limit);
      if (ready.length > 0) {
        this.#waiters.delete(waiter);
        waiter.resolve(ready);
      }
    }
    return id;
  }

  /**
   * What getUpdates with this offset confirms: positive offsets confirm every lower id, negative ones keep
   * only the last -offset updates, 0 confirms nothing.
   */
  confirm(offset: number): void {
    let keepFrom = 0;
    if (offset > 0) keepFrom = this.#pending.findIndex((u) => u.id >= offset);
    else if (offset < 0) keepFrom = Math.max(0, this.#pending.length + offset);
    if (keepFrom < 0) keepFrom = this.#pending.length;
    const gone = this.#pending.splice(0, keepFrom);
    this.#confirmed.push(...gone);
    if (this.#confirmed.length > HISTORY) this.#confirmed.splice(0, this.#confirmed.length - HISTORY);
  }

  /** The last `count` confirmed updates (for a replay fault). */
  recentlyConfirmed(count: number): QueuedUpdate[] {
    return count > 0 ? this.#confirmed.slice(-count) : [];
  }

  #available(offset: number, limit: number): QueuedUpdate[] {
    return this.#pending.filter((u) => offset <= 0 || u.id >= offset).slice(0, limit);
  }

  /** Resolves at once if updates are there, else when one arrives or after `timeoutMs` (with []). */
  take(
    offset: number,
    limit: number,
    timeoutMs: number,
  ): { result: Promise<QueuedUpdate[]>; cancel(): void } {
    const ready = this.#available(offset, limit);
    if (ready.length > 0 || timeoutMs <= 0) return { result: Promise.resolve(ready), cancel: () => {} };
    let waiter: Waiter | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const result = new Promise<QueuedUpdate[]>((resolve) => {
      const w: Waiter = {
        offset,
        limit,
        resolve: (updates) => {
          clearTimeout(timer);
          resolve(updates);
        },
      };
      waiter = w;
      this.#waiters.add(w);
      timer = setTimeout(() => {
        this.#waiters.delete(w);
        resolve([]);
      }, timeoutMs);
    });
    return {
      result,
      cancel: () => {
        clearTimeout(timer);
        if (waiter) this.#waiters.delete(waiter);
      },
    };
  }

  /** deleteWebhook / setWebhook with drop_pending_updates. */
  dropPending(): void {
    this.confirm(this.#nextId);
  }

  /** The oldest unconfirmed update (webhook delivery sends it, then confirms it on a 2xx). */
  peek(): QueuedUpdate | undefined {
    return this.#pending[0];
  }

  close(): void {
    for (const waiter of this.#waiters) waiter.resolve([]);
    this.#waiters.clear();
  }
}
