// Cost of the coordination primitives on a throwaway local PostgreSQL (fsync off: this measures round trips
// and locking, not disk). Figures are per-operation means and a ratio against a bare INSERT in the same run.
// Run after `pnpm --filter @hermes/state-postgres build`:  node bench/run.mjs [iterations]
import { performance } from 'node:perf_hooks';
import {
  COORDINATION_SCOPE,
  coordinationMigrations,
  fencedWrite,
  LeaseManager,
  migrate,
  WorkQueue,
} from '@hermes/state-postgres';
import { postgresAvailability, startTestPostgres } from '@hermes/state-postgres/testing';
import pg from 'pg';

const n = Number(process.argv[2] ?? 500);
const avail = postgresAvailability();
if (!avail.ok) {
  console.log(`skipped: ${avail.reason}`);
  process.exit(0);
}

async function time(label, fn) {
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return { label, usPerOp: ((performance.now() - start) * 1000) / n };
}

const server = await startTestPostgres();
const pool = new pg.Pool({ connectionString: server.url, max: 4 });
// The server's shutdown at the end must not surface as an unhandled 'error' on an idle client.
pool.on('error', () => {});
try {
  await migrate(pool, coordinationMigrations, { scope: COORDINATION_SCOPE });
  await pool.query('CREATE TABLE bench_rows (id serial PRIMARY KEY, body text)');
  const leases = new LeaseManager(pool, { replicaId: 'bench' });
  const got = await leases.acquire('bench:fenced', 60_000);
  if (!got.ok) throw new Error('bench lease not acquired');
  let lease = got.lease;
  const queue = new WorkQueue(pool, { workerId: 'bench' });
  for (let i = 0; i < n; i++) await queue.enqueue('bench', { i });

  const results = [];
  results.push(
    await time('bare INSERT (baseline)', () => pool.query("INSERT INTO bench_rows (body) VALUES ('x')")),
  );
  results.push(
    await time('fencedWrite INSERT', () =>
      fencedWrite(pool, lease, (c) => c.query("INSERT INTO bench_rows (body) VALUES ('x')")),
    ),
  );
  results.push(
    await time('renew', async () => {
      const r = await leases.renew(lease);
      if (!r.ok) throw new Error('renew failed');
      lease = r.lease;
    }),
  );
  results.push(
    await time('acquire + release', async (i) => {
      const r = await leases.acquire(`bench:${i}`, 60_000);
      if (!r.ok) throw new Error('acquire failed');
      await leases.release(r.lease);
    }),
  );
  results.push(
    await time('claim + complete', async () => {
      const [item] = await queue.claim('bench', { claimMs: 60_000 });
      if (!item || !(await queue.complete(item))) throw new Error('claim failed');
    }),
  );
  const base = results[0].usPerOp;
  for (const r of results) {
    console.log(
      `${r.label.padEnd(24)} ${r.usPerOp.toFixed(0).padStart(7)} µs/op   ×${(r.usPerOp / base).toFixed(2)}`,
    );
  }
} finally {
  await pool.end();
  await server.stop();
}
