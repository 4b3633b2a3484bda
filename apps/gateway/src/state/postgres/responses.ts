import type { ResponseRecordStore, ResponseRetention } from '@hermes/adapter-core';
import type { PgExecutor, Statement } from './executor.js';

const Q = {
  get: {
    name: 'hs_responses_get',
    text: 'SELECT body FROM responses WHERE platform = $1 AND id = $2 AND scope = $3 AND created_at >= $4',
  },
  // An update keeps the row's seq, as SQLite's ON CONFLICT DO UPDATE does: a re-put does not count as newer.
  put: {
    name: 'hs_responses_put',
    text: `INSERT INTO responses (platform, id, scope, body, created_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (platform, id) DO UPDATE SET scope = excluded.scope, body = excluded.body, created_at = excluded.created_at`,
  },
  pruneAge: {
    name: 'hs_responses_prune_age',
    text: 'DELETE FROM responses WHERE platform = $1 AND created_at < $2',
  },
  // Everything at or below the first row past the newest `maxResponses` goes.
  pruneCount: {
    name: 'hs_responses_prune_count',
    text: `DELETE FROM responses WHERE platform = $1 AND seq <= (
             SELECT seq FROM responses WHERE platform = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2)`,
  },
} satisfies Record<string, Statement>;

/**
 * Stored responses of one request/reply platform, bounded on every put like the SQLite `ResponseStore`: rows
 * older than `maxAgeMs` and all but the newest `maxResponses` of the platform go, in the put's transaction.
 * A row is found only under the scope it was stored with.
 */
export class PgResponses implements ResponseRecordStore {
  constructor(
    private readonly db: PgExecutor,
    private readonly platform: string,
    private readonly retention: ResponseRetention,
    private readonly now: () => number,
  ) {}

  async get(id: string, scope: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ body: string }>(Q.get, [
      this.platform,
      id,
      scope,
      this.now() - this.retention.maxAgeMs,
    ]);
    return rows[0]?.body;
  }

  async put(id: string, scope: string, json: string): Promise<void> {
    const { platform, retention } = this;
    const now = this.now();
    // Separate statements, not one: a statement's CTEs share one snapshot, so the count bound would not see
    // the row just inserted.
    await this.db.inTransaction(async (tx) => {
      await tx.query(Q.put, [platform, id, scope, json, now]);
      await tx.query(Q.pruneAge, [platform, now - retention.maxAgeMs]);
      await tx.query(Q.pruneCount, [platform, retention.maxResponses]);
    });
  }
}
