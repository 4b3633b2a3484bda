import type { TurnLogStorage } from '../storage.js';
import { type Insights, insightsFrom, type TurnRecord, type TurnRow, turnValues } from '../turn-log.js';
import type { PgExecutor, Queryable, Statement } from './executor.js';

const Q = {
  record: {
    name: 'hs_turns_record',
    text: `INSERT INTO turns (session_id, platform, model, started_at, duration_ms, prompt_tokens, completion_tokens, tools, error, interrupted)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
  },
  // ORDER BY id after started_at: equal start times keep insertion order, as SQLite's rowid scan does.
  since: {
    name: 'hs_turns_since',
    text: 'SELECT platform, model, started_at, duration_ms, prompt_tokens, completion_tokens, tools, error FROM turns WHERE started_at >= $1 ORDER BY started_at, id',
  },
} satisfies Record<string, Statement>;

export async function recordTurn(on: Queryable, t: TurnRecord): Promise<void> {
  await on.query(Q.record, turnValues(t));
}

export class PgTurnLog implements TurnLogStorage {
  constructor(private readonly db: PgExecutor) {}

  record(turn: TurnRecord): Promise<void> {
    return recordTurn(this.db, turn);
  }

  async insights(sinceMs: number): Promise<Insights> {
    return insightsFrom((await this.db.query<TurnRow>(Q.since, [sinceMs])).rows);
  }
}
