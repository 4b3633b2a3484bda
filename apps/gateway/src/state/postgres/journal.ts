import {
  type InboundState,
  type JournalEntry,
  journalEntryFromRow,
  partMarker,
  type RawJournalEntry,
} from '../inbound-journal.js';
import type { JournalStorage, RecoveryScope } from '../storage.js';
import type { PgExecutor, Queryable, Statement } from './executor.js';

const Q = {
  // ON CONFLICT DO NOTHING returns no row for a redelivery: SQLite's INSERT OR IGNORE.
  // $6: the session key (replicas claim open rows by session); $7: the NOTIFY channel, or NULL for none (a
  // replica alone). The NOTIFY leaves at COMMIT, so no replica is woken for a row it cannot see yet.
  record: {
    name: 'hs_inbound_record',
    text: `WITH entry AS (
             INSERT INTO inbound (dedupe_key, platform, payload, state, received_at, written_by, session_key)
             VALUES ($1, $2, $3, 'received', $4, $5, $6)
             ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
           )
           SELECT id, CASE WHEN $7::text IS NULL THEN NULL ELSE pg_notify($7, coalesce($6, '')) END FROM entry`,
  },
  recordWithParts: {
    name: 'hs_inbound_record_parts',
    text: `WITH entry AS (
             INSERT INTO inbound (dedupe_key, platform, payload, state, received_at, written_by, session_key)
             VALUES ($1, $2, $3, 'received', $4, $5, $8)
             ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
           ), parts AS (
             INSERT INTO inbound (dedupe_key, platform, payload, state, received_at, done_at, written_by)
             SELECT k, $2, $7, 'done', $4, $4, $5 FROM unnest($6::text[]) AS k WHERE EXISTS (SELECT 1 FROM entry)
             ON CONFLICT (dedupe_key) DO NOTHING
           )
           SELECT id, CASE WHEN $9::text IS NULL THEN NULL ELSE pg_notify($9, coalesce($8, '')) END FROM entry`,
  },
  known: {
    name: 'hs_inbound_known',
    text: 'SELECT dedupe_key FROM inbound WHERE dedupe_key = ANY ($1::text[])',
  },
  finish: {
    name: 'hs_inbound_finish',
    text: `UPDATE inbound SET state = $1, done_at = $2, session_key = coalesce(k.key, inbound.session_key)
             FROM unnest($3::bigint[], $4::text[]) AS k(id, key) WHERE inbound.id = k.id`,
  },
  open: {
    name: 'hs_inbound_open',
    text: `SELECT id, dedupe_key, platform, session_key, payload, state, received_at, attempts, turn_session_id, turn_message_id
             FROM inbound WHERE state = 'received'
              AND ($1::text[] IS NULL OR platform = ANY ($1)) AND ($2::text IS NULL OR written_by = $2)
            ORDER BY id`,
  },
  prune: {
    name: 'hs_inbound_prune',
    text: "DELETE FROM inbound WHERE state <> 'received' AND received_at < $1",
  },
} satisfies Record<string, Statement>;

/**
 * The inbound journal (see `../inbound-journal.ts` for what it promises). Session keys wait in memory and ride
 * along with the entry's next write, like the SQLite engine's: they are per replica, which is right, since
 * the replica that journaled a message is the one that starts its turn.
 */
export class PgJournal implements JournalStorage {
  readonly #unwrittenKeys = new Map<number, string>();

  constructor(
    private readonly db: PgExecutor,
    private readonly now: () => number,
    /** Stored with every entry (`written_by`), for `open({ writtenBy })`. */
    readonly replicaId: string | null,
    /** The channel new entries are announced on, for replicas that run each other's messages. */
    private readonly notifyChannel: string | null = null,
  ) {}

  async record(
    dedupeKey: string,
    platform: string,
    payload: string,
    partKeys: readonly string[] = [],
    sessionKey?: string,
  ): Promise<number | undefined> {
    const key = sessionKey ?? null;
    if (partKeys.length === 0)
      return this.#recordOn(platform, (on) =>
        recordEntry(on, dedupeKey, platform, payload, this.now(), this.replicaId, key, this.notifyChannel),
      );
    // One statement: the entry and its parts commit together, fenced or not.
    return this.#recordOn(platform, async (on) => {
      const values = [
        dedupeKey,
        platform,
        payload,
        this.now(),
        this.replicaId,
        partKeys,
        partMarker(dedupeKey),
        key,
        this.notifyChannel,
      ];
      const { rows } = await on.query<{ id: number }>(Q.recordWithParts, values);
      return rows[0]?.id;
    });
  }

  /**
   * Alone, a connection's holder journals under its lease: a holder that lost it also runs what it journals,
   * and must not once another replica does. With replicas sharing turns (`notifyChannel`), journaling only
   * hands a message over (a claim decides who runs it, the dedupe key that it runs once), so a holder that
   * lost its lease still journals what only its socket received: a WeCom callback pushed to a paused
   * holder's socket is never pushed again, and refusing it would lose it.
   */
  #recordOn<T>(platform: string, fn: (on: Queryable) => Promise<T>): Promise<T> {
    return this.notifyChannel === null ? this.db.fenced(platform, fn) : fn(this.db);
  }

  async known(dedupeKeys: readonly string[]): Promise<string[]> {
    if (dedupeKeys.length === 0) return [];
    const { rows } = await this.db.query<{ dedupe_key: string }>(Q.known, [dedupeKeys]);
    return rows.map((r) => r.dedupe_key);
  }

  setSessionKey(id: number, sessionKey: string): void {
    this.#unwrittenKeys.set(id, sessionKey);
  }

  async finish(ids: readonly number[], state: Exclude<InboundState, 'received'> = 'done'): Promise<void> {
    await this.finishOn(this.db, ids, state);
    this.written(ids);
  }

  /** `finish` on a unit's transaction; the caller calls `written(ids)` once it committed. */
  async finishOn(
    on: Queryable,
    ids: readonly number[],
    state: Exclude<InboundState, 'received'> = 'done',
  ): Promise<void> {
    if (ids.length === 0) return;
    await on.query(Q.finish, [state, this.now(), ids, this.keysOf(ids)]);
  }

  /** Forgets keys only once their write committed: a rolled-back unit leaves them for the next write. */
  written(ids: readonly number[]): void {
    for (const id of ids) this.#unwrittenKeys.delete(id);
  }

  async open(scope?: RecoveryScope): Promise<JournalEntry[]> {
    const { rows } = await this.db.query<RawJournalEntry>(Q.open, [
      scope?.platforms ?? null,
      scope?.writtenBy ?? null,
    ]);
    return rows.map(journalEntryFromRow);
  }

  async prune(maxAgeMs: number): Promise<number> {
    return (await this.db.query(Q.prune, [this.now() - maxAgeMs])).rowCount;
  }

  /** The session keys still to write for `ids` (null where there is none), for a unit's own statement. */
  keysOf(ids: readonly number[]): Array<string | null> {
    return ids.map((id) => this.#unwrittenKeys.get(id) ?? null);
  }
}

/** Returns the new entry id, or undefined for a dedupe key already recorded. */
export async function recordEntry(
  on: Queryable,
  dedupeKey: string,
  platform: string,
  payload: string,
  now: number,
  writtenBy: string | null,
  sessionKey: string | null = null,
  notifyChannel: string | null = null,
): Promise<number | undefined> {
  const { rows } = await on.query<{ id: number }>(Q.record, [
    dedupeKey,
    platform,
    payload,
    now,
    writtenBy,
    sessionKey,
    notifyChannel,
  ]);
  return rows[0]?.id;
}
