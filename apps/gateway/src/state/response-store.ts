import type { ResponseRecordStore, ResponseRetention } from '@hermes/adapter-core';
import { type Db, type Sql, statementCache } from './db.js';

/**
 * Stored responses of one request/reply platform in state.db (`responses`), so `previous_response_id`
 * and `GET /v1/responses/{id}` work across restarts. Bounded on every put: rows older than
 * `retention.maxAgeMs` and all but the newest `retention.maxResponses` of the platform are deleted. A row
 * is found only with the scope it was stored under; the body is the adapter's JSON, kept as is.
 */
export class ResponseStore implements ResponseRecordStore {
  readonly #db: Db;
  readonly #sql: Sql;

  constructor(
    db: Db,
    private readonly platform: string,
    private readonly retention: ResponseRetention,
    private readonly now: () => number = Date.now,
  ) {
    this.#db = db;
    this.#sql = statementCache(db);
  }

  async get(id: string, scope: string): Promise<string | undefined> {
    const row = this.#sql(
      'SELECT body FROM responses WHERE platform = ? AND id = ? AND scope = ? AND created_at >= ?',
    ).get(this.platform, id, scope, this.now() - this.retention.maxAgeMs) as { body: string } | undefined;
    return row?.body;
  }

  /** Committed (WAL) when it resolves: the new row and the pruning it causes, in one transaction. */
  async put(id: string, scope: string, json: string): Promise<void> {
    const { platform, retention } = this;
    const now = this.now();
    this.#db.transaction(() => {
      this.#sql(
        `INSERT INTO responses (platform, id, scope, body, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (platform, id) DO UPDATE SET scope = excluded.scope, body = excluded.body, created_at = excluded.created_at`,
      ).run(platform, id, scope, json, now);
      this.#sql('DELETE FROM responses WHERE platform = ? AND created_at < ?').run(
        platform,
        now - retention.maxAgeMs,
      );
      // Everything at or below the first row past the newest `maxResponses` goes.
      this.#sql(
        `DELETE FROM responses WHERE platform = ? AND seq <= (
           SELECT seq FROM responses WHERE platform = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
      ).run(platform, platform, retention.maxResponses);
    })();
  }
}

/**
 * The gateway creates adapters before the host opens state.db; their stores bind to it on first use
 * (requests only arrive once the host runs). A request after the database closed fails, and the adapter
 * answers it with a retryable error.
 */
export function deferredResponseStore(
  db: () => Db | undefined,
  platform: string,
  retention: ResponseRetention,
): ResponseRecordStore {
  let bound: { db: Db; store: ResponseStore } | undefined;
  const store = (): ResponseStore => {
    const current = db();
    if (current === undefined) throw new Error('state.db is not open yet');
    if (bound?.db !== current)
      bound = { db: current, store: new ResponseStore(current, platform, retention) };
    return bound.store;
  };
  return {
    get: async (id, scope) => store().get(id, scope),
    put: async (id, scope, json) => store().put(id, scope, json),
  };
}
