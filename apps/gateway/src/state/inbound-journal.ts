import { type Db, type Sql, statementCache } from './db.js';

export type InboundState = 'received' | 'done' | 'ignored';

export interface JournalEntry {
  id: number;
  dedupeKey: string;
  platform: string;
  sessionKey: string | null;
  payload: string;
  state: InboundState;
  receivedAt: number;
}

/**
 * Every inbound message is written here before the adapter's `receive()` returns, which is before the
 * adapter acknowledges it to the platform. A message still `received` at startup was acknowledged but its
 * turn never finished: it is replayed. The unique key doubles as the persistent inbound dedupe.
 */
export class InboundJournal {
  private readonly sql: Sql;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.sql = statementCache(db);
  }

  /** Returns the new entry id, or undefined when this key was already recorded (a redelivery). */
  record(dedupeKey: string, platform: string, payload: string): number | undefined {
    const r = this.sql(
      "INSERT OR IGNORE INTO inbound (dedupe_key, platform, payload, state, received_at) VALUES (?, ?, ?, 'received', ?)",
    ).run(dedupeKey, platform, payload, this.now());
    return r.changes === 1 ? Number(r.lastInsertRowid) : undefined;
  }

  setSessionKey(id: number, sessionKey: string): void {
    this.sql('UPDATE inbound SET session_key = ? WHERE id = ?').run(sessionKey, id);
  }

  finish(ids: readonly number[], state: Exclude<InboundState, 'received'> = 'done'): void {
    const stmt = this.sql('UPDATE inbound SET state = ?, done_at = ? WHERE id = ?');
    const now = this.now();
    this.db.transaction(() => {
      for (const id of ids) stmt.run(state, now, id);
    })();
  }

  open(): JournalEntry[] {
    const rows = this.sql("SELECT * FROM inbound WHERE state = 'received' ORDER BY id").all() as Array<{
      id: number;
      dedupe_key: string;
      platform: string;
      session_key: string | null;
      payload: string;
      state: InboundState;
      received_at: number;
    }>;
    return rows.map((r) => ({
      id: r.id,
      dedupeKey: r.dedupe_key,
      platform: r.platform,
      sessionKey: r.session_key,
      payload: r.payload,
      state: r.state,
      receivedAt: r.received_at,
    }));
  }

  /** Keeps the dedupe window bounded: finished entries older than `maxAgeMs` go. */
  prune(maxAgeMs: number): number {
    return this.sql("DELETE FROM inbound WHERE state != 'received' AND received_at < ?").run(
      this.now() - maxAgeMs,
    ).changes;
  }
}
