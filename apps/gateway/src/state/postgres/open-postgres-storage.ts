import type { ResponseRecordStore, ResponseRetention } from '@hermes/adapter-core';
import { COORDINATION_SCOPE, coordinationMigrations, migrate } from '@hermes/state-postgres';
import pg from 'pg';
import type { ReplicaCoordination, StateStorage } from '../storage.js';
import { type ConnectionTarget, connectionTarget } from './connection-target.js';
import { StatePostgresStorageError, storageErrorFrom } from './errors.js';
import { PgExecutor } from './executor.js';
import { PgJournal } from './journal.js';
import { PgKv } from './kv.js';
import { PgOutbox } from './outbox.js';
import { PgPlatformCalls } from './platform-calls.js';
import { PgReplicaCoordination } from './replicas.js';
import { PgResponses } from './responses.js';
import { STATE_SCOPE, stateMigrations } from './schema.js';
import { INBOUND_CHANNEL } from './session-claims.js';
import { PgSessions } from './sessions.js';
import { PgTurnLog } from './turn-log.js';
import { PgUnits } from './units.js';

export interface PostgresStorageOptions {
  /** Connections this replica may hold (default 10). */
  readonly maxConnections?: number;
  /** Bound on opening one connection (default 10 s): an unreachable server fails the start, never hangs it. */
  readonly connectTimeoutMs?: number;
  /** Bound on waiting for another replica's migrations (default 60 s). */
  readonly migrationLockTimeoutMs?: number;
  /** How long `close()` waits for writes in flight before cutting connections (default 5 s). */
  readonly closeTimeoutMs?: number;
  /**
   * This replica's stable id, stored with the inbound entries and replies it records (`written_by`), so a
   * recovery scope's `writtenBy` finds its own rows, and the name it shows in `hermes status`. With it the
   * storage offers `replicas` (connection leases, presence); absent: stored as NULL, no coordination.
   */
  readonly replicaId?: string;
  /** The clock of every stored timestamp (epoch ms; default `Date.now`), as the SQLite stores take it. */
  readonly now?: () => number;
  /**
   * An idle connection that failed (the server restarted, a proxy dropped it). The pool replaces it; this is
   * only for logging. Without a listener pg would throw it on the process.
   */
  readonly onBackgroundError?: (error: Error) => void;
}

// int8 (BIGINT, count(*)) arrives as text by default; every one here (epoch ms, ids, token sums) is far below
// 2^53, and the interface promises numbers.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

class PostgresStorage implements StateStorage {
  readonly engine = 'postgres' as const;
  readonly location: string;
  readonly sessions: PgSessions;
  readonly journal: PgJournal;
  readonly outbox: PgOutbox;
  readonly kv: PgKv;
  readonly turns: PgTurnLog;
  readonly units: PgUnits;
  readonly replicas?: ReplicaCoordination;
  readonly #calls: PgPlatformCalls | undefined;

  constructor(
    private readonly db: PgExecutor,
    private readonly now: () => number,
    private readonly closeTimeoutMs: number,
    replicaId: string | null,
    // The LISTEN connection of forwarded calls needs the URL itself: `db.target` drops the password.
    url: string,
    onBackgroundError: ((error: Error) => void) | undefined,
  ) {
    this.location = db.target.location;
    this.sessions = new PgSessions(db, now);
    // Replicas announce each new entry: any of them may be the one to run it.
    this.journal = new PgJournal(db, now, replicaId, replicaId === null ? null : INBOUND_CHANNEL);
    this.outbox = new PgOutbox(db, now, replicaId);
    this.kv = new PgKv(db, now);
    this.turns = new PgTurnLog(db);
    this.units = new PgUnits(db, this.journal, now);
    if (replicaId !== null) {
      this.#calls = new PgPlatformCalls(db, url, replicaId, {
        onError: (error) => reportBackground(onBackgroundError, error, db.target),
      });
      this.replicas = new PgReplicaCoordination(db, replicaId, this.#calls);
    }
  }

  responses(platform: string, retention: ResponseRetention): ResponseRecordStore {
    return new PgResponses(this.db, platform, retention, this.now);
  }

  async close(): Promise<void> {
    await this.#calls?.close();
    return this.db.close(this.closeTimeoutMs);
  }
}

function reportBackground(
  report: ((error: Error) => void) | undefined,
  error: unknown,
  target: ConnectionTarget,
): void {
  const wrapped = storageErrorFrom(error, target) ?? error;
  try {
    report?.(wrapped instanceof Error ? wrapped : new Error(String(wrapped)));
  } catch {
    // A throwing logger must not break the background work it reports on.
  }
}

function invalidUrl(): StatePostgresStorageError {
  // The URL itself is never echoed: it may carry the password.
  return new StatePostgresStorageError(
    'state_db_url_invalid',
    '(unparsed)',
    'HERMES_DATABASE_URL is not a PostgreSQL URL: write it as postgres://user:password@host:5432/database (percent-encode special characters in the password)',
  );
}

/**
 * Connects and applies the state schema's missing migrations (under @hermes/state-postgres's advisory lock,
 * so replicas starting together migrate once). Fails with a StatePostgresStorageError naming
 * host:port/database and the fix when the server is unreachable, refuses the credentials, lacks the database
 * or was migrated by a newer release. Also used by `hermes migrate-state`.
 */
export async function connectState(url: string, options: PostgresStorageOptions = {}): Promise<PgExecutor> {
  const target: ConnectionTarget | undefined = connectionTarget(url);
  if (target === undefined) throw invalidUrl();
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types,
  });
  const db = new PgExecutor(pool, target);
  pool.on('error', (error) => {
    try {
      options.onBackgroundError?.(storageErrorFrom(error, target) ?? error);
    } catch {
      // A throwing logger must not turn a dropped idle connection into a crash either.
    }
  });
  pool.on('connect', (client) => db.trackClient(client, true));
  pool.on('remove', (client) => db.trackClient(client, false));
  const lock =
    options.migrationLockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.migrationLockTimeoutMs };
  try {
    // The leases first: the state's fenced statements read hermes_leases.
    await migrate(pool, coordinationMigrations, { scope: COORDINATION_SCOPE, ...lock });
    await migrate(pool, stateMigrations, { scope: STATE_SCOPE, ...lock });
  } catch (error) {
    await db.close(1_000);
    throw storageErrorFrom(error, target) ?? error;
  }
  return db;
}

/** The PostgreSQL engine of `StateStorage` on `url` (see `connectState` for what can fail and how). */
export async function openPostgresStorage(
  url: string,
  options: PostgresStorageOptions = {},
): Promise<StateStorage> {
  const db = await connectState(url, options);
  return new PostgresStorage(
    db,
    options.now ?? (() => Date.now()),
    options.closeTimeoutMs ?? 5_000,
    options.replicaId ?? null,
    url,
    options.onBackgroundError,
  );
}
