import { LeaseKeeper, type LeaseManager, startWorkWaiter } from '@hermes/state-postgres';
import { journalEntryFromRow, type RawJournalEntry } from '../inbound-journal.js';
import type { ClaimedEntry, HeldSession, SessionClaims } from '../storage.js';
import type { PgExecutor, Statement } from './executor.js';
import { type SessionFence, sessionFenceContext, sessionLeaseName } from './fences.js';

/** NOTIFY channel of new journal entries (payload: the session key); `PgJournal` sends on it. */
export const INBOUND_CHANNEL = 'hermes_inbound';

const Q = {
  // Open entries of sessions nobody live holds, or that this replica holds and has not claimed yet.
  waiting: {
    name: 'hs_sessions_waiting',
    text: `SELECT i.session_key FROM inbound i
             LEFT JOIN hermes_leases l
               ON l.name = 'session:' || i.session_key AND l.expires_at > clock_timestamp()
            WHERE i.state = 'received' AND i.session_key IS NOT NULL AND i.platform = ANY ($2::text[])
              AND (l.name IS NULL OR (l.owner = $1 AND i.claim_token IS DISTINCT FROM l.token))
            GROUP BY i.session_key ORDER BY min(i.id) LIMIT $3`,
  },
  // SKIP LOCKED: rows another claimer has locked this instant are left to the next pass, never waited on.
  // `was` tells a fresh entry from one an earlier, gone holder had claimed (and maybe started).
  claim: {
    name: 'hs_sessions_claim',
    text: `WITH c AS (
             SELECT id, claim_token AS was FROM inbound
              WHERE session_key = $1 AND state = 'received' AND (claim_token IS NULL OR claim_token < $2)
              ORDER BY id FOR UPDATE SKIP LOCKED)
           UPDATE inbound i SET claim_token = $2 FROM c WHERE i.id = c.id
           RETURNING i.id, i.dedupe_key, i.platform, i.session_key, i.payload, i.state, i.received_at, i.attempts,
                     i.turn_session_id, i.turn_message_id, c.was`,
  },
} satisfies Record<string, Statement>;

interface Held extends HeldSession {
  readonly keeper: LeaseKeeper;
  readonly fence: SessionFence;
}

/**
 * Session leases are @hermes/state-postgres leases named `session:<key>` (database clock, fencing tokens);
 * claims mark entries with the token they were claimed under, so a new holder knows what its predecessor left.
 */
export class PgSessionClaims implements SessionClaims {
  readonly #held = new WeakMap<HeldSession, Held>();

  constructor(
    private readonly db: PgExecutor,
    private readonly leases: LeaseManager,
  ) {}

  async waiting(platforms: readonly string[], limit: number): Promise<string[]> {
    if (platforms.length === 0 || limit <= 0) return [];
    const { rows } = await this.db.query<{ session_key: string }>(Q.waiting, [
      this.leases.replicaId,
      platforms,
      limit,
    ]);
    return rows.map((r) => r.session_key);
  }

  async acquire(
    sessionKey: string,
    ttlMs: number,
    onLost: (reason: string) => void,
  ): Promise<HeldSession | undefined> {
    const got = await this.leases.acquire(sessionLeaseName(sessionKey), ttlMs);
    if (!got.ok) return undefined;
    const keeper = new LeaseKeeper({ manager: this.leases, lease: got.lease, onLost });
    const fence: SessionFence = {
      sessionKey,
      lease: () => (keeper.held() ? keeper.lease : undefined),
    };
    const held: Held = { sessionKey, token: got.lease.token, held: () => keeper.held(), keeper, fence };
    this.#held.set(held, held);
    keeper.start();
    return held;
  }

  async claim(session: HeldSession): Promise<ClaimedEntry[]> {
    const held = this.#own(session);
    const rows = await this.within(held, () =>
      this.db.fenced(undefined, (on) =>
        on.query<RawJournalEntry & { was: number | null }>(Q.claim, [held.sessionKey, held.token.toString()]),
      ),
    );
    return rows.rows
      .sort((a, b) => a.id - b.id)
      .map((r) => ({ entry: journalEntryFromRow(r), reclaimed: r.was !== null }));
  }

  async release(session: HeldSession): Promise<void> {
    await this.#own(session).keeper.stop({ release: true });
  }

  within<T>(session: HeldSession, fn: () => T): T {
    return sessionFenceContext.run(this.#own(session).fence, fn);
  }

  listen(onWork: () => void, onError: (error: unknown) => void) {
    const waiter = startWorkWaiter({
      connection: this.db.pool.options,
      channel: INBOUND_CHANNEL,
      pollMs: 1_000,
      onWake: onWork,
      onError,
    });
    return { ready: waiter.ready, stop: () => waiter.close() };
  }

  #own(session: HeldSession): Held {
    const held = this.#held.get(session);
    if (!held) throw new Error('this session lease was not taken by this storage');
    return held;
  }
}
