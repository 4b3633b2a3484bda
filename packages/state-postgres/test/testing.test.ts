import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { findPostgresBinDir, postgresAvailability, startTestPostgres } from '../src/testing/index.js';

const avail = postgresAvailability();

describe.skipIf(!avail.ok)(`startTestPostgres${avail.ok ? '' : ` (skipped: ${avail.reason})`}`, () => {
  it('starts a loopback-only cluster, serves queries, and stop() removes it', async () => {
    const server = await startTestPostgres();
    let stoppedDir: string | undefined;
    try {
      expect(server.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const settings = await client.query<{ listen: string; fsync: string; dir: string }>(
        "SELECT current_setting('listen_addresses') AS listen, current_setting('fsync') AS fsync, current_setting('data_directory') AS dir",
      );
      await client.end();
      expect(settings.rows[0]).toMatchObject({ listen: '127.0.0.1', fsync: 'off' });
      stoppedDir = settings.rows[0]?.dir;
      const dbUrl = await server.createDatabase('extra_db');
      const other = new pg.Client({ connectionString: dbUrl });
      await other.connect();
      const name = await other.query<{ db: string }>('SELECT current_database() AS db');
      await other.end();
      expect(name.rows[0]?.db).toBe('extra_db');
    } finally {
      await server.stop();
    }
    const { existsSync } = await import('node:fs');
    expect(stoppedDir && existsSync(stoppedDir)).toBe(false);
    expect(() => process.kill(server.pid, 0)).toThrow();
  });
});

describe('postgresAvailability', () => {
  it('reports the install script\'s "unavailable:" reason, so the suites skip with it instead of passing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hermes-pg-status-'));
    const previous = process.env['HERMES_POSTGRES_STATUS'];
    try {
      process.env['HERMES_POSTGRES_STATUS'] = join(dir, 'postgres.status');
      await writeFile(
        join(dir, 'postgres.status'),
        'unavailable: apt-get update failed (no network or mirror?)\n',
      );
      expect(postgresAvailability()).toEqual({
        ok: false,
        reason: 'unavailable: apt-get update failed (no network or mirror?)',
      });
      await writeFile(join(dir, 'postgres.status'), 'ok: postgres (PostgreSQL) 15\n');
      const after = postgresAvailability();
      expect(after.ok).toBe(findPostgresBinDir() !== undefined);
    } finally {
      if (previous === undefined) delete process.env['HERMES_POSTGRES_STATUS'];
      else process.env['HERMES_POSTGRES_STATUS'] = previous;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
