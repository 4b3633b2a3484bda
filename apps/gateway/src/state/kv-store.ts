import { type Db, type Sql, statementCache } from './db.js';

/** Small settings the chat commands change at run time (home channels, per-session model overrides). */
export class KvStore {
  private readonly sql: Sql;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  get<T>(key: string): T | undefined {
    const r = this.sql('SELECT v FROM kv WHERE k = ?').get(key) as { v: string } | undefined;
    return r ? (JSON.parse(r.v) as T) : undefined;
  }

  set(key: string, value: unknown): void {
    this.sql(
      'INSERT INTO kv (k, v, updated_at) VALUES (?, ?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v, updated_at = excluded.updated_at',
    ).run(key, JSON.stringify(value), Date.now());
  }

  /**
   * Looks before it deletes: the host clears per-turn keys after every turn, most of which were never set,
   * and a lookup costs a fraction of a write transaction's commit.
   */
  delete(key: string): void {
    if (this.sql('SELECT 1 FROM kv WHERE k = ?').get(key) === undefined) return;
    this.sql('DELETE FROM kv WHERE k = ?').run(key);
  }

  /** Read, change, write; the caller runs it inside one transaction (see SqliteStorage). */
  update<T>(key: string, change: (current: T | undefined) => T | undefined): T | undefined {
    const next = change(this.get<T>(key));
    if (next === undefined) this.delete(key);
    else this.set(key, next);
    return next;
  }
}
