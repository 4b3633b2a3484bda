import type { Pool, PoolClient } from 'pg';
import { StatePostgresError } from './errors.js';

export interface Migration {
  /** Positive integer; the list is applied in ascending order and never renumbered once released. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export interface MigrateOptions {
  /**
   * Independent version line in `schema_migrations` (default `hermes`), so this package's coordination
   * tables and the host's stores can each number their migrations from 1.
   */
  readonly scope?: string;
  /** Bound on waiting for another replica's migrations (default 60 s); fails rather than hang a start. */
  readonly lockTimeoutMs?: number;
}

export interface MigrateResult {
  readonly scope: string;
  /** Versions this call applied (empty when another replica, or an earlier start, already had). */
  readonly applied: readonly number[];
  /** The database's version of this scope after the call. */
  readonly current: number;
}

/**
 * Fixed advisory-lock key shared by every replica: only one of them runs migrations at a time, whatever the
 * scope, so two replicas starting together never both see version N as missing and both apply it.
 */
export const MIGRATION_LOCK_KEY = 0x6865_726d_6573n; // "hermes"

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  scope      text        NOT NULL,
  version    integer     NOT NULL,
  name       text        NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (scope, version)
)`;

function validate(migrations: readonly Migration[], scope: string): void {
  let previous = 0;
  for (const m of migrations) {
    if (!Number.isSafeInteger(m.version) || m.version <= previous) {
      throw new StatePostgresError(
        'migration_invalid',
        `migration "${m.name}" of scope "${scope}" has version ${m.version}: versions must be positive integers in strictly ascending order (previous was ${previous})`,
        { fix: 'number migrations 1, 2, 3, … in the order they must run' },
      );
    }
    if (m.name.trim() === '' || m.sql.trim() === '') {
      throw new StatePostgresError(
        'migration_invalid',
        `migration ${m.version} of scope "${scope}" has an empty name or empty SQL`,
      );
    }
    previous = m.version;
  }
}

async function rollbackQuietly(client: PoolClient): Promise<void> {
  try {
    await client.query('ROLLBACK');
  } catch {
    // The connection is already broken; the server rolls back on its own.
  }
}

/**
 * Applies the missing migrations of one scope, each in its own transaction, under a session advisory lock so
 * that any number of replicas starting at once apply each one exactly once. Refuses a database that has
 * versions this code does not know (a newer release migrated it): running old code on it could corrupt data.
 */
export async function migrate(
  pool: Pool,
  migrations: readonly Migration[],
  options: MigrateOptions = {},
): Promise<MigrateResult> {
  const scope = options.scope ?? 'hermes';
  validate(migrations, scope);
  const client = await pool.connect();
  let locked = false;
  let broken = false;
  const onError = (): void => {
    broken = true;
  };
  client.on('error', onError);
  try {
    await client.query(`SET lock_timeout = ${Math.max(1, Math.trunc(options.lockTimeoutMs ?? 60_000))}`);
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    } catch (error) {
      throw new StatePostgresError(
        'migration_failed',
        `timed out after ${options.lockTimeoutMs ?? 60_000} ms waiting for another replica's migrations (advisory lock ${MIGRATION_LOCK_KEY}): ${(error as Error).message}`,
        {
          fix: 'look for a replica stuck while migrating (pg_locks, locktype advisory) and stop it',
          cause: error,
        },
      );
    }
    locked = true;
    await client.query('RESET lock_timeout');
    await client.query(CREATE_TABLE);
    const rows = await client.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations WHERE scope = $1 ORDER BY version',
      [scope],
    );
    const known = new Map(migrations.map((m) => [m.version, m] as const));
    const codeVersion = migrations.at(-1)?.version ?? 0;
    const dbVersion = rows.rows.at(-1)?.version ?? 0;
    if (dbVersion > codeVersion) {
      throw new StatePostgresError(
        'database_newer',
        `the database's "${scope}" schema is at version ${dbVersion}, newer than this release knows (${codeVersion})`,
        { fix: 'run the release that migrated this database (or newer); never downgrade a shared database' },
      );
    }
    for (const row of rows.rows) {
      const mine = known.get(row.version);
      if (mine === undefined || mine.name !== row.name) {
        throw new StatePostgresError(
          'migration_mismatch',
          `the database's "${scope}" migration ${row.version} is "${row.name}" but this release has ${mine ? `"${mine.name}"` : 'no such version'}`,
          { fix: 'released migrations must never be renamed, removed or renumbered' },
        );
      }
    }
    const done = new Set(rows.rows.map((r) => r.version));
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (scope, version, name) VALUES ($1, $2, $3)', [
          scope,
          m.version,
          m.name,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await rollbackQuietly(client);
        throw new StatePostgresError(
          'migration_failed',
          `migration ${m.version} "${m.name}" of scope "${scope}" failed and was rolled back: ${(error as Error).message}`,
          { cause: error },
        );
      }
      applied.push(m.version);
    }
    return { scope, applied, current: Math.max(dbVersion, applied.at(-1) ?? 0) };
  } finally {
    if (locked) {
      try {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
      } catch {
        // A dead session's advisory locks are released by the server.
      }
    }
    client.off('error', onError);
    client.release(broken);
  }
}
