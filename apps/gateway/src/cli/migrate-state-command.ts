import { join } from 'node:path';
import { stateUrlOf } from '../state/open-storage.js';
import { loadConfigOrExplain } from './load-or-exit.js';

/**
 * `hermes migrate-state [--from state.db]`: copies this home's state.db (or the one named) into the
 * PostgreSQL database the config names. The driver is loaded only here, as in the gateway.
 */
export async function migrateStateCommand(
  o: { from?: string },
  out: (line: string) => void,
): Promise<number> {
  const config = loadConfigOrExplain(out);
  if (!config) return 78;
  const databaseUrl = stateUrlOf(config);
  if (databaseUrl === undefined) {
    out(
      'hermes migrate-state: no PostgreSQL database is configured. Set HERMES_DATABASE_URL=postgres://user:password@host:5432/database (or state: {url: …} in config.yaml) and run it again.',
    );
    return 2;
  }
  const sqlitePath = o.from ?? config.paths.stateDb;
  const { migrateState, MigrateStateError } = await import('./migrate-state.js');
  try {
    const result = await migrateState({
      sqlitePath,
      databaseUrl,
      out,
      files: { pairingDir: config.paths.pairingDir, cronJobsFile: join(config.paths.cronDir, 'jobs.json') },
    });
    const rows = result.tables.reduce((n, t) => n + t.rows, 0);
    out(
      `Copied ${rows} row(s) from ${sqlitePath} into ${result.target}. Start the gateway with the same setting.`,
    );
    return 0;
  } catch (err) {
    const code = err instanceof MigrateStateError ? err.code : ((err as { code?: string }).code ?? 'error');
    out(`hermes migrate-state failed (${code}): ${(err as Error).message}`);
    return 1;
  }
}
