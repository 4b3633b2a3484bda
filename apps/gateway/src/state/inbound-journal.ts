import { type Atomically, atomically, type Db, type Sql, statementCache } from './db.js';

/**
 * `failed`: gave up after bounded attempts (a poison message). `abandoned`: a request/reply turn whose client
 * is gone, so nobody is waiting for the answer.
 */
export type InboundState = 'received' | 'done' | 'ignored' | 'failed' | 'abandoned';

export interface JournalEntry {
  id: number;
  dedupeKey: string;
  platform: string;
  sessionKey: string | null;
  payload: string;
  state: InboundState;
  receivedAt: number;
  /** How many times a turn was started for it (before this start). */
  attempts: number;
  /** Where its last started turn began in the transcript. */
  turnStart?: { sessionId: string; messageId: number };
}

/** An `inbound` row as both engines read it. */
export interface RawJournalEntry {
  id: number;
  dedupe_key: string;
  platform: string;
  session_key: string | null;
  payload: string;
  state: InboundState;
  received_at: number;
  attempts: number;
  turn_session_id: string | null;
  turn_message_id: number | null;
}

export function journalEntryFromRow(r: RawJournalEntry): JournalEntry {
  const entry: JournalEntry = {
    id: r.id,
    dedupeKey: r.dedupe_key,
    platform: r.platform,
    sessionKey: r.session_key,
    payload: r.payload,
    state: r.state,
    receivedAt: r.received_at,
    attempts: r.attempts,
  };
  // Absent rather than undefined when no turn started: callers and tests compare entries whole.
  if (r.turn_session_id !== null && r.turn_message_id !== null)
    entry.turnStart = { sessionId: r.turn_session_id, messageId: r.turn_message_id };
  return entry;
}

/**
 * Every inbound message is written here before the adapter's `receive()` returns, which is before the
 * adapter acknowledges it to the platform. A message still `received` at startup was acknowledged but its
 * turn never finished: it is replayed. The unique key doubles as the persistent inbound dedupe.
 */
export class InboundJournal {
  private readonly sql: Sql;
  private readonly atomically: Atomically;
  /**
   * Session keys not written yet. The key is bookkeeping (nothing replays from it), so it rides along with
   * the entry's next write (turn start or finish) instead of costing a commit of its own per message.
   */
  private readonly unwrittenKeys = new Map<number, string>();

  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.sql = statementCache(db);
    this.atomically = atomically(db);
  }

  /**
   * Returns the new entry id, or undefined when this key was already recorded (a redelivery). `partKeys`
   * are recorded as taken with it, in the same commit (see `JournalStorage.record`).
   */
  record(
    dedupeKey: string,
    platform: string,
    payload: string,
    partKeys: readonly string[] = [],
    sessionKey?: string,
  ): number | undefined {
    const insert = () => {
      const now = this.now();
      const r = this.sql(
        "INSERT OR IGNORE INTO inbound (dedupe_key, platform, payload, state, received_at, session_key) VALUES (?, ?, ?, 'received', ?, ?)",
      ).run(dedupeKey, platform, payload, now, sessionKey ?? null);
      if (r.changes !== 1) return undefined;
      const part = this.sql(
        "INSERT OR IGNORE INTO inbound (dedupe_key, platform, payload, state, received_at, done_at) VALUES (?, ?, ?, 'done', ?, ?)",
      );
      const marker = partMarker(dedupeKey);
      for (const key of partKeys) part.run(key, platform, marker, now, now);
      return Number(r.lastInsertRowid);
    };
    return partKeys.length === 0 ? insert() : this.atomically(insert);
  }

  /** Which of these keys are recorded already (as an entry or as part of one). */
  known(dedupeKeys: readonly string[]): string[] {
    const has = this.sql('SELECT 1 FROM inbound WHERE dedupe_key = ?');
    return dedupeKeys.filter((key) => has.get(key) !== undefined);
  }

  /** Called when a turn starts: counts the attempt and remembers where its transcript entries begin. */
  markTurnStart(ids: readonly number[], sessionId: string, messageId: number): void {
    const stmt = this.sql(
      'UPDATE inbound SET attempts = attempts + 1, turn_session_id = ?, turn_message_id = ?, session_key = coalesce(?, session_key) WHERE id = ?',
    );
    this.atomically(() => {
      for (const id of ids) stmt.run(sessionId, messageId, this.unwrittenKeys.get(id) ?? null, id);
    });
    for (const id of ids) this.unwrittenKeys.delete(id);
  }

  /** Written with the entry's turn start or finish, whichever comes first (see `unwrittenKeys`). */
  setSessionKey(id: number, sessionKey: string): void {
    this.unwrittenKeys.set(id, sessionKey);
  }

  finish(ids: readonly number[], state: Exclude<InboundState, 'received'> = 'done'): void {
    const stmt = this.sql(
      'UPDATE inbound SET state = ?, done_at = ?, session_key = coalesce(?, session_key) WHERE id = ?',
    );
    const now = this.now();
    this.atomically(() => {
      for (const id of ids) stmt.run(state, now, this.unwrittenKeys.get(id) ?? null, id);
    });
    for (const id of ids) this.unwrittenKeys.delete(id);
  }

  /** Open entries, oldest first; of these platforms only, when given. */
  open(platforms?: readonly string[]): JournalEntry[] {
    const all = this.sql(
      "SELECT * FROM inbound WHERE state = 'received' ORDER BY id",
    ).all() as RawJournalEntry[];
    const rows = platforms ? all.filter((r) => platforms.includes(r.platform)) : all;
    return rows.map(journalEntryFromRow);
  }

  /** Keeps the dedupe window bounded: finished entries older than `maxAgeMs` go. */
  prune(maxAgeMs: number): number {
    return this.sql("DELETE FROM inbound WHERE state != 'received' AND received_at < ?").run(
      this.now() - maxAgeMs,
    ).changes;
  }
}

/** The payload of a part's row: which entry carries its text (it is never replayed itself). */
export function partMarker(entryKey: string): string {
  return JSON.stringify({ partOf: entryKey });
}
