import { randomUUID } from 'node:crypto';
import { postgresAvailability } from '@hermes/state-postgres/testing';
import pg from 'pg';
import { inject } from 'vitest';
import type { PlatformCalls, StateStorage } from '../../storage.js';
import { openPostgresStorage } from '../open-postgres-storage.js';

export const postgres = postgresAvailability();

/** The suite's name, with the reason appended when PostgreSQL is not here (the suite is then skipped). */
export const pgSuiteName = (name: string): string =>
  postgres.ok ? name : `${name} (skipped: ${postgres.reason})`;

/** Superuser URL of the shared cluster started by global-setup.ts. */
export function adminUrl(): string {
  const url = inject('gatewayPostgresUrl');
  if (!url) throw new Error('the shared test PostgreSQL did not start (see global-setup.ts)');
  return url;
}

/** Runs `fn` on a short-lived superuser connection to the shared cluster. */
export async function asAdmin<T>(fn: (client: pg.Client) => Promise<T>, url = adminUrl()): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new, empty schema; its URL puts it first on the search_path, so each test has its own tables. */
export async function freshSchemaUrl(): Promise<{ url: string; schema: string }> {
  const schema = `gw_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await asAdmin((c) => c.query(`CREATE SCHEMA ${schema}`));
  return { url: `${adminUrl()}?options=${encodeURIComponent(`-c search_path=${schema}`)}`, schema };
}

/** A replica's storage on `url` (closed by the caller through `opened`) and its forwarded platform calls. */
export async function openReplicaCalls(
  url: string,
  replicaId: string,
  opened: StateStorage[],
): Promise<PlatformCalls> {
  const storage = await openPostgresStorage(url, { replicaId });
  opened.push(storage);
  const calls = storage.replicas?.calls;
  if (!calls) throw new Error('a replica storage offers platform calls');
  return calls;
}
