import { describe, expect, it } from 'vitest';
import { isStatePostgresError, MIGRATION_LOCK_KEY, type Migration, migrate } from '../src/index.js';
import { avail, suiteName, usePostgres } from './pg-fixture.js';

const m1: Migration = {
  version: 1,
  name: 'notes',
  sql: 'CREATE TABLE notes (id int PRIMARY KEY, body text)',
};
// Not idempotent on purpose: applying it twice would fail with a duplicate key.
const m2: Migration = { version: 2, name: 'seed', sql: "INSERT INTO notes VALUES (1, 'first')" };
const m3: Migration = { version: 3, name: 'column', sql: 'ALTER TABLE notes ADD COLUMN tag text' };

describe.skipIf(!avail.ok)(suiteName('migrate() against a real PostgreSQL'), () => {
  const pg_ = usePostgres();

  it('five replicas migrating at once apply each migration exactly once', async () => {
    const url = await pg_.freshUrl();
    // Separate pools, as separate processes would have.
    const pools = await Promise.all([1, 2, 3, 4, 5].map(() => pg_.pool(url)));
    const results = await Promise.all(pools.map((p) => migrate(p, [m1, m2, m3])));
    const appliedBy = results.flatMap((r) => r.applied);
    expect(appliedBy.sort()).toEqual([1, 2, 3]);
    expect(results.every((r) => r.current === 3)).toBe(true);
    const rows = await pools[0]!.query('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(rows.rows).toEqual([
      { version: 1, name: 'notes' },
      { version: 2, name: 'seed' },
      { version: 3, name: 'column' },
    ]);
    expect((await pools[0]!.query('SELECT count(*)::int AS n FROM notes')).rows[0].n).toBe(1);
  });

  it('applies only what is missing on a later start, and scopes have their own version lines', async () => {
    const pool = await pg_.pool();
    expect((await migrate(pool, [m1])).applied).toEqual([1]);
    expect((await migrate(pool, [m1, m2])).applied).toEqual([2]);
    expect((await migrate(pool, [m1, m2])).applied).toEqual([]);
    const other = await migrate(pool, [{ version: 1, name: 'other', sql: 'CREATE TABLE other (x int)' }], {
      scope: 'plugin',
    });
    expect(other).toEqual({ scope: 'plugin', applied: [1], current: 1 });
  });

  it('refuses a database newer than the code, naming both versions, and changes nothing', async () => {
    const pool = await pg_.pool();
    await migrate(pool, [m1, m2, m3]);
    const error = await migrate(pool, [m1, m2]).catch((e: unknown) => e);
    expect(isStatePostgresError(error, 'database_newer')).toBe(true);
    expect((error as Error).message).toMatch(/version 3.*\(2\)/);
    expect((await pool.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0].n).toBe(3);
  });

  it('rolls a failing migration back whole and reports it; the next start retries it', async () => {
    const pool = await pg_.pool();
    const bad: Migration = {
      version: 2,
      name: 'half',
      sql: 'CREATE TABLE half (x int); SELECT * FROM missing_table',
    };
    const error = await migrate(pool, [m1, bad]).catch((e: unknown) => e);
    expect(isStatePostgresError(error, 'migration_failed')).toBe(true);
    expect((error as Error).message).toMatch(/migration 2 "half"/);
    const half = await pool.query("SELECT to_regclass('half') AS t");
    expect(half.rows[0].t).toBeNull();
    const fixed: Migration = { version: 2, name: 'half', sql: 'CREATE TABLE half (x int)' };
    expect((await migrate(pool, [m1, fixed])).applied).toEqual([2]);
  });

  it('rejects a badly numbered list and a renamed released migration', async () => {
    const pool = await pg_.pool();
    const unordered = await migrate(pool, [m2, m1]).catch((e: unknown) => e);
    expect(isStatePostgresError(unordered, 'migration_invalid')).toBe(true);
    await migrate(pool, [m1]);
    const renamed = await migrate(pool, [{ ...m1, name: 'renamed' }]).catch((e: unknown) => e);
    expect(isStatePostgresError(renamed, 'migration_mismatch')).toBe(true);
  });

  it('releases the advisory lock so a later migrator does not wait', async () => {
    const pool = await pg_.pool();
    await migrate(pool, [m1]);
    const locks = await pool.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'");
    expect(locks.rows[0].n).toBe(0);
  });
});

describe.skipIf(!avail.ok)(suiteName('migrate() waiting on another replica'), () => {
  const pg_ = usePostgres();

  it('gives up with a typed error when another replica holds the migration lock past lockTimeoutMs', async () => {
    const pool = await pg_.pool();
    const holder = await pool.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
      const error = await migrate(pool, [m1], { lockTimeoutMs: 300 }).catch((e: unknown) => e);
      expect(isStatePostgresError(error, 'migration_failed')).toBe(true);
      expect((error as Error).message).toMatch(/waiting for another replica/);
    } finally {
      await holder.query('SELECT pg_advisory_unlock_all()');
      holder.release();
    }
    expect((await migrate(pool, [m1])).applied).toEqual([1]);
  });
});
