import type Database from 'better-sqlite3';

interface Queued {
  op: () => unknown;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Thrown out of a group's transaction when SQLite itself rolled it back: nothing in the group was kept. */
class GroupRolledBack extends Error {
  constructor(
    override readonly cause: unknown,
    readonly at: number,
  ) {
    super('state.db rolled the group commit back');
  }
}

/**
 * Group commit for state.db: the writes callers start within one turn of the event loop run together on the
 * next turn, in call order, in one transaction, so eight concurrent turns pay for one commit instead of eight.
 * Every write still settles only after the COMMIT that holds it: nothing is acknowledged before it is in the
 * WAL. Each write runs inside its own SAVEPOINT, so one that throws is rolled back alone and rejects alone,
 * as it would have on its own commit; a failed COMMIT rejects the whole group (none of it was kept).
 */
export class GroupCommit {
  readonly #db: Database.Database;
  #queue: Queued[] = [];
  #scheduled = false;
  /**
   * better-sqlite3's own transaction functions, made on first use: the outer one commits the group, the
   * inner one is a SAVEPOINT per write (rolled back alone when that write throws).
   */
  #commitGroup: ((group: readonly Queued[]) => Outcome[]) | undefined;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** Runs `op` with the next group; settles with its result once that group has committed. */
  write<T>(op: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // setImmediate, not a microtask: the writes of every socket read in this loop turn join the group.
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Reads run at once when no write is waiting; otherwise after the waiting writes, so a read started after a
   * write sees it, as it did when every write committed on the spot.
   */
  read<T>(op: () => T): Promise<T> {
    if (this.#queue.length === 0) {
      try {
        return Promise.resolve(op());
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.write(op);
  }

  /** Commits whatever waits now (close() calls it so nothing started is dropped). */
  flush(): void {
    this.#scheduled = false;
    const group = this.#queue;
    if (group.length === 0) return;
    this.#queue = [];
    // Alone, a write commits the way it always did (its own statement or transaction): no extra statements.
    if (group.length === 1 || !this.#db.open || this.#db.inTransaction) {
      for (const q of group) settleAlone(q);
      return;
    }
    let outcomes: Outcome[];
    try {
      outcomes = this.#groupTransaction()(group);
    } catch (err) {
      if (err instanceof GroupRolledBack) {
        // SQLite rolled the whole transaction back (disk full, I/O error): the writes before the failing one
        // are gone too and say so; the ones after it run alone.
        for (const q of group.slice(0, err.at + 1)) q.reject(err.cause);
        for (const q of group.slice(err.at + 1)) settleAlone(q);
      } else for (const q of group) q.reject(err);
      return;
    }
    group.forEach((q, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) q.resolve(outcome.value);
      else q.reject(outcome.error);
    });
  }

  #groupTransaction(): (group: readonly Queued[]) => Outcome[] {
    if (this.#commitGroup) return this.#commitGroup;
    const db = this.#db;
    const alone = db.transaction((op: () => unknown) => op());
    this.#commitGroup = db.transaction((group: readonly Queued[]) =>
      group.map((q, i): Outcome => {
        try {
          return { ok: true, value: alone(q.op) };
        } catch (error) {
          if (!db.inTransaction) throw new GroupRolledBack(error, i);
          return { ok: false, error };
        }
      }),
    );
    return this.#commitGroup;
  }
}

function settleAlone(q: Queued): void {
  try {
    q.resolve(q.op());
  } catch (err) {
    q.reject(err);
  }
}
