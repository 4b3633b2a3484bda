import type { ChatRef, OutboundMessage } from '@hermes/adapter-core';
import { type OutboxEntry, type OutboxState, outboxEntryFromRow, type RawOutbox } from '../outbox.js';
import type { OutboxStorage, RecoveryScope } from '../storage.js';
import { StatePostgresStorageError } from './errors.js';
import type { PgExecutor, Queryable, Statement } from './executor.js';
import { leaseLost, sessionFenceContext } from './fences.js';

const scopeValues = (scope: RecoveryScope | undefined): [readonly string[] | null, string | null] => [
  scope?.platforms ?? null,
  scope?.writtenBy ?? null,
];

const COLUMNS = 'id, platform, chat, payload, state, turn_ref, attempts, created_at';
/** A RecoveryScope as $1 (platforms, or NULL for all) and $2 (the writer's replica id, or NULL for any). */
const IN_SCOPE = '($1::text[] IS NULL OR platform = ANY ($1)) AND ($2::text IS NULL OR written_by = $2)';

const Q = {
  // Every chunk in one statement; ORDER BY ord draws the ids in the chunks' order.
  enqueue: {
    name: 'hs_outbox_enqueue',
    text: `INSERT INTO outbox (platform, chat, payload, state, turn_ref, created_at, updated_at, written_by)
           SELECT $1, $2, t.payload, 'pending', $4, $5, $5, $6
             FROM unnest($3::text[]) WITH ORDINALITY AS t(payload, ord) ORDER BY t.ord
           RETURNING id`,
  },
  markSending: {
    name: 'hs_outbox_sending',
    // Only from pending: with replicas, the one that turns a row to sending is the one that sends it.
    text: "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = $1 WHERE id = $2 AND state = 'pending'",
  },
  // The same, when this replica fences platforms ($3) by their connection leases' tokens ($4, the ones still
  // held): a row of a fenced platform is marked only while its token is live, under a FOR KEY SHARE lock
  // that holds a takeover off until this statement commits.
  markSendingFenced: {
    name: 'hs_outbox_sending_fenced',
    text: `UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = $1
            WHERE id = $2 AND state = 'pending' AND (NOT (platform = ANY ($3::text[])) OR EXISTS (
              SELECT 1 FROM hermes_leases l
               WHERE l.name = 'connection:' || outbox.platform AND l.token = ANY ($4::bigint[])
                 AND l.expires_at > clock_timestamp() FOR KEY SHARE))
           RETURNING platform`,
  },
  platformOf: { name: 'hs_outbox_platform', text: 'SELECT platform, state FROM outbox WHERE id = $1' },
  markSent: {
    name: 'hs_outbox_sent',
    text: "UPDATE outbox SET state = 'sent', message_ids = $1, updated_at = $2 WHERE id = $3",
  },
  markRetry: {
    name: 'hs_outbox_retry',
    text: "UPDATE outbox SET state = 'pending', error = $1, updated_at = $2 WHERE id = $3",
  },
  markFailed: {
    name: 'hs_outbox_failed',
    text: 'UPDATE outbox SET state = $1, error = $2, updated_at = $3 WHERE id = $4',
  },
  get: { name: 'hs_outbox_get', text: `SELECT ${COLUMNS} FROM outbox WHERE id = $1` },
  pending: {
    name: 'hs_outbox_pending',
    text: `SELECT ${COLUMNS} FROM outbox WHERE state = 'pending' AND ${IN_SCOPE} ORDER BY id`,
  },
  stale: {
    name: 'hs_outbox_stale',
    text: `SELECT ${COLUMNS} FROM outbox WHERE state = 'pending' AND platform = ANY ($1::text[]) AND updated_at <= $2 ORDER BY id`,
  },
  resume: {
    name: 'hs_outbox_resume',
    text: `UPDATE outbox SET state = 'pending', error = 'resumed: the platform dedupes on its key', updated_at = $3
            WHERE state = 'sending' AND platform = $1 AND created_at >= $2`,
  },
  quarantine: {
    name: 'hs_outbox_quarantine',
    text: `UPDATE outbox SET state = 'ambiguous', error = 'gateway stopped while sending', updated_at = $3 WHERE state = 'sending' AND ${IN_SCOPE}`,
  },
  prune: {
    name: 'hs_outbox_prune',
    text: "DELETE FROM outbox WHERE state IN ('sent', 'failed', 'ambiguous') AND updated_at < $1",
  },
  count: { name: 'hs_outbox_count', text: 'SELECT state, count(*) AS n FROM outbox GROUP BY state' },
} satisfies Record<string, Statement>;

/** Records every chunk in one statement; returns their ids in chunk order. */
async function enqueueReply(
  on: Queryable,
  chat: ChatRef,
  messages: readonly OutboundMessage[],
  turnRef: string | undefined,
  now: number,
  writtenBy: string | null,
): Promise<number[]> {
  if (messages.length === 0) return [];
  const { rows } = await on.query<{ id: number }>(Q.enqueue, [
    chat.platform,
    JSON.stringify(chat),
    messages.map((m) => JSON.stringify(m)),
    turnRef ?? null,
    now,
    writtenBy,
  ]);
  // RETURNING promises no order; the ids themselves do (drawn in chunk order, see the statement).
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

export class PgOutbox implements OutboxStorage {
  constructor(
    private readonly db: PgExecutor,
    private readonly now: () => number,
    /** Stored with every row (`written_by`), for a scope's `writtenBy`. */
    private readonly replicaId: string | null,
  ) {}

  // async: a lost lease is a rejection, like every other failure of the write, never a synchronous throw.
  async enqueue(chat: ChatRef, messages: readonly OutboundMessage[], turnRef?: string): Promise<number[]> {
    return this.db.fenced(chat.platform, (on) =>
      enqueueReply(on, chat, messages, turnRef, this.now(), this.replicaId),
    );
  }

  async markSending(id: number): Promise<void> {
    if ((await this.#markSending(id)) > 0) return;
    const row = (await this.db.query<{ platform: string; state: OutboxState }>(Q.platformOf, [id])).rows[0];
    if (!row) return;
    if (row.state !== 'pending')
      throw new StatePostgresStorageError(
        'state_reply_taken',
        this.db.target.where,
        `reply ${id} is ${row.state} already: another replica took it to send (a takeover recovering it), and only that one sends it`,
      );
    // The row is left pending: the replica holding the connection now sends it.
    throw leaseLost(row.platform, this.db.target.where);
  }

  async #markSending(id: number): Promise<number> {
    // Inside a dispatched message the session lease fences the send, whoever holds the connection.
    if (sessionFenceContext.getStore())
      return (await this.db.fenced(undefined, (on) => on.query(Q.markSending, [this.now(), id]))).rowCount;
    if (!this.db.fences.active) return (await this.db.query(Q.markSending, [this.now(), id])).rowCount;
    const { platforms, tokens } = this.db.fences.snapshot();
    return (await this.db.query(Q.markSendingFenced, [this.now(), id, platforms, tokens])).rowCount;
  }

  async markSent(id: number, messageIds: readonly string[]): Promise<void> {
    await this.db.query(Q.markSent, [JSON.stringify(messageIds), this.now(), id]);
  }

  async markRetry(id: number, error: string): Promise<void> {
    await this.db.query(Q.markRetry, [error, this.now(), id]);
  }

  async markFailed(id: number, error: string, state: 'failed' | 'ambiguous' = 'failed'): Promise<void> {
    await this.db.query(Q.markFailed, [state, error, this.now(), id]);
  }

  async get(id: number): Promise<OutboxEntry | undefined> {
    const { rows } = await this.db.query<RawOutbox>(Q.get, [id]);
    return rows[0] ? outboxEntryFromRow(rows[0]) : undefined;
  }

  async pending(scope?: RecoveryScope): Promise<OutboxEntry[]> {
    return (await this.db.query<RawOutbox>(Q.pending, scopeValues(scope))).rows.map(outboxEntryFromRow);
  }

  async stale(platforms: readonly string[], untouchedForMs: number): Promise<OutboxEntry[]> {
    if (platforms.length === 0) return [];
    const { rows } = await this.db.query<RawOutbox>(Q.stale, [platforms, this.now() - untouchedForMs]);
    return rows.map(outboxEntryFromRow);
  }

  async resumeInFlight(platform: string, withinMs: number): Promise<number> {
    const now = this.now();
    return (await this.db.query(Q.resume, [platform, now - withinMs, now])).rowCount;
  }

  async quarantineInFlight(scope?: RecoveryScope): Promise<number> {
    return (await this.db.query(Q.quarantine, [...scopeValues(scope), this.now()])).rowCount;
  }

  async prune(maxAgeMs: number): Promise<number> {
    return (await this.db.query(Q.prune, [this.now() - maxAgeMs])).rowCount;
  }

  async countByState(): Promise<Record<OutboxState, number>> {
    const out: Record<OutboxState, number> = { pending: 0, sending: 0, sent: 0, failed: 0, ambiguous: 0 };
    const { rows } = await this.db.query<{ state: OutboxState; n: number }>(Q.count);
    for (const r of rows) out[r.state] = r.n;
    return out;
  }
}
