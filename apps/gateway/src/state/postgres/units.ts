import type { SessionDraft } from '../session-store.js';
import type { FinishedTurn, RecordedReply, StateUnits } from '../storage.js';
import type { PgExecutor, Queryable, Statement } from './executor.js';
import { type PgJournal, recordEntry } from './journal.js';
import { setKv } from './kv.js';
import { insertSessionDraft } from './sessions.js';
import { recordTurn } from './turn-log.js';

/**
 * Each unit is one statement where it can be (data-modifying CTEs commit together or not at all): a round
 * trip to the server is most of a unit's cost, far more than the writes themselves.
 */
const Q = {
  startTurn: {
    name: 'hs_unit_start_turn',
    text: `WITH m AS (INSERT INTO messages (session_id, role, content, extra, created_at) VALUES ($1, 'user', $2, NULL, $3) RETURNING id),
                s AS (UPDATE sessions SET updated_at = $3 WHERE id = $1),
                j AS (UPDATE inbound SET attempts = attempts + 1, turn_session_id = $1, turn_message_id = m.id,
                                         session_key = coalesce(k.key, inbound.session_key)
                        FROM m, unnest($4::bigint[], $5::text[]) AS k(id, key) WHERE inbound.id = k.id)
           SELECT id FROM m`,
  },
  // $5 = 0 when the turn made no model call: the sums stay, and so does the last prompt size.
  finishTurn: {
    name: 'hs_unit_finish_turn',
    text: `WITH m AS (INSERT INTO messages (session_id, role, content, extra, created_at)
                      SELECT $1, t.role, t.content, t.extra, $5
                        FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS t(role, content, extra, ord)
                       ORDER BY t.ord
                    RETURNING id)
           UPDATE sessions SET updated_at = CASE WHEN (SELECT count(*) FROM m) > 0 THEN $5 ELSE updated_at END,
                  input_tokens = input_tokens + $6, output_tokens = output_tokens + $7, total_tokens = total_tokens + $8,
                  last_prompt_tokens = CASE WHEN $9::boolean THEN $10 ELSE last_prompt_tokens END
            WHERE id = $1`,
  },
  // ORDER BY ord draws the outbox ids in the chunks' order.
  recordReply: {
    name: 'hs_unit_record_reply',
    text: `WITH o AS (INSERT INTO outbox (platform, chat, payload, state, turn_ref, created_at, updated_at, written_by)
                      SELECT $1, $2, t.payload, 'pending', $4, $5, $5, $8
                        FROM unnest($3::text[]) WITH ORDINALITY AS t(payload, ord) ORDER BY t.ord
                    RETURNING id),
                j AS (UPDATE inbound SET state = 'done', done_at = $5, session_key = coalesce(k.key, inbound.session_key)
                        FROM unnest($6::bigint[], $7::text[]) AS k(id, key) WHERE inbound.id = k.id)
           SELECT id FROM o`,
  },
} satisfies Record<string, Statement>;

/**
 * Writes that span tables, each one transaction through `PgExecutor.inTransaction`; the ones that answer or
 * record a platform's messages are fenced by its connection lease. Session keys waiting in the journal are forgotten only after COMMIT.
 */
export class PgUnits implements StateUnits {
  constructor(
    private readonly db: PgExecutor,
    private readonly journal: PgJournal,
    private readonly now: () => number,
  ) {}

  /**
   * One transaction, fenced by the session lease of the message being run (replicas sharing turns), else by
   * the platform's connection lease when this replica holds (or held) one.
   */
  #write<T>(platform: string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.inTransaction(fn, this.db.fences.fenceFor(platform, this.db.target.where));
  }

  // One commit: a crash between the two would leave a user message the replay does not know to remove.
  async startTurn(
    sessionId: string,
    userText: string,
    journalIds: readonly number[],
    draft?: SessionDraft,
  ): Promise<number> {
    const id = await this.db.inTransaction(async (tx) => {
      if (draft) await insertSessionDraft(tx, draft);
      const { rows } = await tx.query<{ id: number }>(Q.startTurn, [
        sessionId,
        userText,
        this.now(),
        journalIds,
        this.journal.keysOf(journalIds),
      ]);
      return rows[0]!.id;
    });
    this.journal.written(journalIds);
    return id;
  }

  async finishTurn(turn: FinishedTurn): Promise<void> {
    const { messages, usage } = turn;
    await this.#write(turn.record.platform, async (tx) => {
      // No such session: its messages are refused (foreign key) and nothing is written, as in SQLite.
      await tx.query(Q.finishTurn, [
        turn.sessionId,
        messages.map((m) => m.role),
        messages.map((m) => m.content),
        messages.map((m) => (m.extra ? JSON.stringify(m.extra) : null)),
        this.now(),
        usage?.promptTokens ?? 0,
        usage?.completionTokens ?? 0,
        usage?.totalTokens ?? 0,
        usage !== undefined,
        usage?.lastPromptTokens ?? 0,
      ]);
      // A SAVEPOINT: a failed /insights row must not take the transcript down with it. COMMIT releases it.
      await tx.query('SAVEPOINT insights_row');
      try {
        await recordTurn(tx, turn.record);
      } catch {
        // The turn's messages matter; its statistics row does not.
        await tx.query('ROLLBACK TO SAVEPOINT insights_row');
      }
      if (turn.closeJournal) await this.journal.finishOn(tx, turn.closeJournal.ids, turn.closeJournal.state);
    });
    if (turn.closeJournal) this.journal.written(turn.closeJournal.ids);
  }

  async recordReply(reply: RecordedReply): Promise<number[]> {
    const ids = await this.#write(reply.chat.platform, async (tx) => {
      const now = this.now();
      const { rows } = await tx.query<{ id: number }>(Q.recordReply, [
        reply.chat.platform,
        JSON.stringify(reply.chat),
        reply.messages.map((m) => JSON.stringify(m)),
        reply.turnRef ?? null,
        now,
        reply.journalIds,
        this.journal.keysOf(reply.journalIds),
        this.journal.replicaId,
      ]);
      // RETURNING promises no order; the ids themselves do (see the statement).
      const outboxIds = rows.map((r) => r.id).sort((a, b) => a - b);
      const first = outboxIds[0];
      if (reply.streamed && first !== undefined)
        await setKv(tx, reply.streamed.kvKey(first), reply.streamed.value, now);
      return outboxIds;
    });
    this.journal.written(reply.journalIds);
    return ids;
  }

  async recordOnce(dedupeKey: string, platform: string, payload: string): Promise<boolean> {
    return this.#write(platform, async (tx) => {
      const id = await recordEntry(tx, dedupeKey, platform, payload, this.now(), this.journal.replicaId);
      if (id !== undefined) await this.journal.finishOn(tx, [id]);
      return id !== undefined;
    });
  }
}
