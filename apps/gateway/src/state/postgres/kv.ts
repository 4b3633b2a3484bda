import type { KvStorage } from '../storage.js';
import type { PgExecutor, Queryable, Statement } from './executor.js';

const Q = {
  get: { name: 'hs_kv_get', text: 'SELECT v FROM kv WHERE k = $1' },
  set: {
    name: 'hs_kv_set',
    text: 'INSERT INTO kv (k, v, updated_at) VALUES ($1, $2, $3) ON CONFLICT (k) DO UPDATE SET v = excluded.v, updated_at = excluded.updated_at',
  },
  // No look-before-delete as in SQLite: here a lookup costs the same round trip as the delete itself.
  delete: { name: 'hs_kv_delete', text: 'DELETE FROM kv WHERE k = $1' },
  // A row lock cannot cover a key not written yet: an advisory lock on the key's hash does, until COMMIT.
  lock: { name: 'hs_kv_lock', text: 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))' },
} satisfies Record<string, Statement>;

/** Writes `value` as JSON on `on` (the pool or a unit's transaction). */
export async function setKv(on: Queryable, key: string, value: unknown, now: number): Promise<void> {
  await on.query(Q.set, [key, JSON.stringify(value), now]);
}

export class PgKv implements KvStorage {
  constructor(
    private readonly db: PgExecutor,
    private readonly now: () => number,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    const { rows } = await this.db.query<{ v: string }>(Q.get, [key]);
    return rows[0] ? (JSON.parse(rows[0].v) as T) : undefined;
  }

  set(key: string, value: unknown): Promise<void> {
    return setKv(this.db, key, value, this.now());
  }

  async delete(key: string): Promise<void> {
    await this.db.query(Q.delete, [key]);
  }

  update<T>(key: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    return this.db.inTransaction(async (tx) => {
      await tx.query(Q.lock, [key]);
      const { rows } = await tx.query<{ v: string }>(Q.get, [key]);
      const next = change(rows[0] ? (JSON.parse(rows[0].v) as T) : undefined);
      if (next === undefined) await tx.query(Q.delete, [key]);
      else await setKv(tx, key, next, this.now());
      return next;
    });
  }
}
