import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { postgresAvailability } from '../src/testing/index.js';

export const avail = postgresAvailability();
export const suiteName = (name: string): string => (avail.ok ? name : `${name} (skipped: ${avail.reason})`);

export interface PostgresFixture {
  /** The shared cluster's port (for proxies in front of it). */
  port(): number;
  /** A fresh, empty schema: its URL puts it first on the search_path, so each test has its own tables. */
  freshUrl(): Promise<string>;
  /** A pool on `url` (default: a fresh schema), closed after the file. */
  pool(url?: string): Promise<pg.Pool>;
}

/** The cluster started once by test/global-setup.ts; tests isolate by schema (far cheaper than databases). */
export function usePostgres(): PostgresFixture {
  const pools: pg.Pool[] = [];
  afterAll(async () => {
    for (const p of pools) await p.end().catch(() => {});
  });
  const base = (): string => {
    const url = inject('postgresUrl');
    if (!url) throw new Error('the shared test PostgreSQL did not start (see test/global-setup.ts)');
    return url;
  };
  const open = (url: string): pg.Pool => {
    const p = new pg.Pool({ connectionString: url, max: 8 });
    // An idle client whose server or proxy went away must not crash the test process.
    p.on('error', () => {});
    pools.push(p);
    return p;
  };
  const freshUrl = async (): Promise<string> => {
    const schema = `t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const admin = new pg.Client({ connectionString: base() });
    admin.on('error', () => {});
    await admin.connect();
    try {
      await admin.query(`CREATE SCHEMA ${schema}`);
    } finally {
      await admin.end();
    }
    return `${base()}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  };
  return {
    port: () => Number(new URL(base()).port),
    freshUrl,
    async pool(url) {
      return open(url ?? (await freshUrl()));
    },
  };
}
