import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { LoadedConfig } from '../config/load.js';
import { openSqliteStorage } from './sqlite-storage.js';
import type { StateStorage } from './storage.js';

/** Which engine the config asks for: `HERMES_DATABASE_URL`, then `state.url` in config.yaml, else state.db. */
export function stateUrlOf(config: LoadedConfig): string | undefined {
  const url = config.env.HERMES_DATABASE_URL?.trim() || config.file.state.url;
  return url || undefined;
}

/**
 * Opens the state the gateway was configured with. PostgreSQL is loaded only when asked for, so an
 * embedded install never loads its driver.
 */
export async function openStateStorage(config: LoadedConfig): Promise<StateStorage> {
  const url = stateUrlOf(config);
  if (url === undefined) return openSqliteStorage(config.paths.stateDb);
  const { openPostgresStorage } = await import('./postgres/index.js');
  return openPostgresStorage(url, { replicaId: replicaIdOf(config) });
}

/**
 * The replica's name in the shared database: HERMES_REPLICA_ID, else this machine and HERMES_HOME, so a
 * replica restarted in place finds the work it left (a new id leaves only its HTTP platforms' unfinished
 * rows behind; connection-bound platforms are recovered by whichever replica takes the connection).
 */
export function replicaIdOf(config: LoadedConfig): string {
  const set = config.env.HERMES_REPLICA_ID?.trim();
  if (set) return set;
  const home = createHash('sha256').update(config.paths.home).digest('hex').slice(0, 8);
  return `${hostname()}:${home}`;
}
