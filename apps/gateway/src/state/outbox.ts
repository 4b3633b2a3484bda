import type { ChatRef, OutboundMessage } from '@hermes/adapter-core';
import { type Atomically, atomically, type Db, type Sql, statementCache } from './db.js';

/**
 * pending: recorded, not yet tried. sending: handed to the adapter, outcome unknown until marked.
 * A row still `sending` after a crash is ambiguous and is never sent again (at most once visible).
 */
export type OutboxState = 'pending' | 'sending' | 'sent' | 'failed' | 'ambiguous';

export interface OutboxEntry {
  id: number;
  platform: string;
  chat: ChatRef;
  message: OutboundMessage;
  state: OutboxState;
  turnRef: string | null;
  attempts: number;
  /** Epoch ms the row was recorded: the start of a platform's idempotency window for it. */
  createdAt: number;
}

/** An `outbox` row as both engines read it; `chat` and `payload` are the JSON text enqueue stored. */
export interface RawOutbox {
  id: number;
  platform: string;
  chat: string;
  payload: string;
  state: OutboxState;
  turn_ref: string | null;
  attempts: number;
  created_at: number;
}

export const outboxEntryFromRow = (r: RawOutbox): OutboxEntry => ({
  id: r.id,
  platform: r.platform,
  chat: JSON.parse(r.chat) as ChatRef,
  message: JSON.parse(r.payload) as OutboundMessage,
  state: r.state,
  turnRef: r.turn_ref,
  attempts: r.attempts,
  createdAt: r.created_at,
});

/**
 * The key every try of this row's send carries (`OutboundMessage.idempotencyKey`): the row id, and its
 * creation time so a database started over (ids from 1 again) never repeats a key a platform remembers.
 */
export function idempotencyKeyOf(entry: Pick<OutboxEntry, 'id' | 'createdAt'>): string {
  return `h-${entry.id.toString(36)}-${entry.createdAt.toString(36)}`;
}

export class Outbox {
  private readonly sql: Sql;
  private readonly atomically: Atomically;

  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.sql = statementCache(db);
    this.atomically = atomically(db);
  }

  /** Records every chunk of a reply in one transaction, before anything is sent. */
  enqueue(chat: ChatRef, messages: readonly OutboundMessage[], turnRef?: string): number[] {
    const stmt = this.sql(
      "INSERT INTO outbox (platform, chat, payload, state, turn_ref, created_at, updated_at) VALUES (?, ?, ?, 'pending', ?, ?, ?)",
    );
    const now = this.now();
    return this.atomically(() =>
      messages.map((m) =>
        Number(
          stmt.run(chat.platform, JSON.stringify(chat), JSON.stringify(m), turnRef ?? null, now, now)
            .lastInsertRowid,
        ),
      ),
    );
  }

  markSending(id: number): void {
    this.sql("UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?").run(
      this.now(),
      id,
    );
  }

  markSent(id: number, messageIds: readonly string[]): void {
    this.sql("UPDATE outbox SET state = 'sent', message_ids = ?, updated_at = ? WHERE id = ?").run(
      JSON.stringify(messageIds),
      this.now(),
      id,
    );
  }

  /** Back to pending: the send definitely did not happen (the adapter said so), so it may be tried again. */
  markRetry(id: number, error: string): void {
    this.sql("UPDATE outbox SET state = 'pending', error = ?, updated_at = ? WHERE id = ?").run(
      error,
      this.now(),
      id,
    );
  }

  markFailed(id: number, error: string, state: 'failed' | 'ambiguous' = 'failed'): void {
    this.sql('UPDATE outbox SET state = ?, error = ?, updated_at = ? WHERE id = ?').run(
      state,
      error,
      this.now(),
      id,
    );
  }

  get(id: number): OutboxEntry | undefined {
    const r = this.sql('SELECT * FROM outbox WHERE id = ?').get(id) as RawOutbox | undefined;
    return r ? outboxEntryFromRow(r) : undefined;
  }

  /** Pending rows, oldest first; of these platforms only, when given. */
  pending(platforms?: readonly string[]): OutboxEntry[] {
    const rows = this.sql("SELECT * FROM outbox WHERE state = 'pending' ORDER BY id").all() as RawOutbox[];
    return (platforms ? rows.filter((r) => platforms.includes(r.platform)) : rows).map(outboxEntryFromRow);
  }

  /** Pending rows of these platforms nobody touched for `untouchedForMs`, oldest first. */
  stale(platforms: readonly string[], untouchedForMs: number): OutboxEntry[] {
    const rows = this.sql("SELECT * FROM outbox WHERE state = 'pending' AND updated_at <= ? ORDER BY id").all(
      this.now() - untouchedForMs,
    ) as RawOutbox[];
    return rows.filter((r) => platforms.includes(r.platform)).map(outboxEntryFromRow);
  }

  /**
   * Rows of `platform` left `sending` and recorded within `withinMs`: back to pending, to be sent again with
   * the same idempotency key (the platform dedupes on it). Returns how many.
   */
  resumeInFlight(platform: string, withinMs: number): number {
    return this.sql(
      "UPDATE outbox SET state = 'pending', error = 'resumed: the platform dedupes on its key', updated_at = ? WHERE state = 'sending' AND platform = ? AND created_at >= ?",
    ).run(this.now(), platform, this.now() - withinMs).changes;
  }

  /** At startup: rows left `sending` by a crash become `ambiguous` and are reported, not resent. */
  quarantineInFlight(platforms?: readonly string[]): number {
    const now = this.now();
    const quarantine = this.sql(
      "UPDATE outbox SET state = 'ambiguous', error = 'gateway stopped while sending', updated_at = ? WHERE state = 'sending' AND (? IS NULL OR platform = ?)",
    );
    if (!platforms) return quarantine.run(now, null, null).changes;
    let n = 0;
    for (const p of platforms) n += quarantine.run(now, p, p).changes;
    return n;
  }

  /** Finished rows (sent, failed, ambiguous) older than `maxAgeMs` go; pending and in-flight rows never. */
  prune(maxAgeMs: number): number {
    return this.sql(
      "DELETE FROM outbox WHERE state IN ('sent', 'failed', 'ambiguous') AND updated_at < ?",
    ).run(this.now() - maxAgeMs).changes;
  }

  countByState(): Record<OutboxState, number> {
    const out: Record<OutboxState, number> = { pending: 0, sending: 0, sent: 0, failed: 0, ambiguous: 0 };
    for (const r of this.sql('SELECT state, COUNT(*) AS n FROM outbox GROUP BY state').all() as Array<{
      state: OutboxState;
      n: number;
    }>)
      out[r.state] = r.n;
    return out;
  }
}
