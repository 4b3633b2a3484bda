import type { Db } from './db.js';

/** Small settings the chat commands change at run time (home channels, per-session model overrides). */
export class KvStore {
  constructor(private readonly db: Db) {}

  get<T>(key: string): T | undefined {
    const r = this.db.prepare('SELECT v FROM kv WHERE k = ?').get(key) as { v: string } | undefined;
    return r ? (JSON.parse(r.v) as T) : undefined;
  }

  set(key: string, value: unknown): void {
    this.db
      .prepare(
        'INSERT INTO kv (k, v, updated_at) VALUES (?, ?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v, updated_at = excluded.updated_at',
      )
      .run(key, JSON.stringify(value), Date.now());
  }

  delete(key: string): void {
    this.db.prepare('DELETE FROM kv WHERE k = ?').run(key);
  }
}
