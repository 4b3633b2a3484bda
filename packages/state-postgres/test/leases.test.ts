import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  COORDINATION_SCOPE,
  coordinationMigrations,
  fencedWrite,
  isStatePostgresError,
  type Lease,
  LeaseManager,
  migrate,
} from '../src/index.js';
import { avail, type PostgresFixture, suiteName, usePostgres } from './pg-fixture.js';

async function coordinationDb(fixture: PostgresFixture): Promise<{ url: string; pool: pg.Pool }> {
  const url = await fixture.freshUrl();
  const pool = await fixture.pool(url);
  await migrate(pool, coordinationMigrations, { scope: COORDINATION_SCOPE });
  await pool.query('CREATE TABLE sent (id serial PRIMARY KEY, by text NOT NULL, token bigint NOT NULL)');
  return { url, pool };
}

/** Bounded poll of the DATABASE's view: true once the lease has expired there. */
async function waitForExpiry(pool: pg.Pool, name: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const r = await pool.query(
      'SELECT expires_at <= clock_timestamp() AS gone FROM hermes_leases WHERE name = $1',
      [name],
    );
    if (r.rows[0]?.gone) return;
    await sleep(25);
  }
  throw new Error(`lease ${name} did not expire within ${timeoutMs} ms`);
}

describe.skipIf(!avail.ok)(suiteName('leases against a real PostgreSQL'), () => {
  const fixture = usePostgres();
  let pool: pg.Pool;
  let url: string;
  beforeEach(async () => {
    ({ url, pool } = await coordinationDb(fixture));
  });

  it('two replicas racing for one lease: exactly one owner', async () => {
    const a = new LeaseManager(pool, { replicaId: 'replica-a' });
    // A second pool: the other replica has its own connections.
    const otherPool = await fixture.pool(url);
    const b = new LeaseManager(otherPool, { replicaId: 'replica-b' });
    for (let round = 0; round < 10; round++) {
      const name = `telegram:${round}`;
      const [ra, rb] = await Promise.all([a.acquire(name, 5_000), b.acquire(name, 5_000)]);
      const winners = [ra, rb].filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      const loser = ra.ok ? rb : ra;
      expect(loser.ok).toBe(false);
      if (!loser.ok) expect(loser.owner).toBe(ra.ok ? 'replica-a' : 'replica-b');
    }
  });

  it('the owner stops renewing: the other takes over after the TTL with a higher token, and the old owner is fenced', async () => {
    const a = new LeaseManager(pool, { replicaId: 'replica-a' });
    const b = new LeaseManager(pool, { replicaId: 'replica-b' });
    const first = await a.acquire('discord:shard-0', 800);
    if (!first.ok) throw new Error('a should own the free lease');
    await fencedWrite(pool, first.lease, (c) =>
      c.query('INSERT INTO sent (by, token) VALUES ($1, $2)', ['a', first.lease.token.toString()]),
    );

    const early = await b.acquire('discord:shard-0', 800);
    expect(early).toMatchObject({ ok: false, owner: 'replica-a' });

    await waitForExpiry(pool, 'discord:shard-0', 5_000);
    const second = await b.acquire('discord:shard-0', 5_000);
    if (!second.ok) throw new Error('b should take over the expired lease');
    expect(second.lease.token > first.lease.token).toBe(true);

    // The old owner, resuming, can neither renew nor write.
    expect(await a.renew(first.lease)).toEqual({ ok: false, code: 'lease_lost' });
    const stale = await fencedWrite(pool, first.lease, (c) =>
      c.query('INSERT INTO sent (by, token) VALUES ($1, $2)', ['a-stale', first.lease.token.toString()]),
    ).catch((e: unknown) => e);
    expect(isStatePostgresError(stale, 'lease_lost')).toBe(true);
    await fencedWrite(pool, second.lease, (c) =>
      c.query('INSERT INTO sent (by, token) VALUES ($1, $2)', ['b', second.lease.token.toString()]),
    );
    const sent = await pool.query('SELECT by FROM sent ORDER BY id');
    expect(sent.rows.map((r) => r.by)).toEqual(['a', 'b']);
  });

  it('renew extends the lease in database time; release lets the other take it at once', async () => {
    const a = new LeaseManager(pool, { replicaId: 'replica-a' });
    const b = new LeaseManager(pool, { replicaId: 'replica-b' });
    const got = await a.acquire('imap', 600);
    if (!got.ok) throw new Error('free lease');
    let lease: Lease = got.lease;
    for (let i = 0; i < 4; i++) {
      await sleep(200);
      const renewed = await a.renew(lease);
      if (!renewed.ok) throw new Error(`renew ${i} failed`);
      expect(renewed.lease.expiresAt.getTime()).toBeGreaterThan(lease.expiresAt.getTime());
      expect(renewed.lease.token).toBe(lease.token);
      lease = renewed.lease;
    }
    // 800 ms after acquiring a 600 ms lease: still ours thanks to the renewals.
    expect(await b.acquire('imap', 600)).toMatchObject({ ok: false, owner: 'replica-a' });
    expect(await a.release(lease)).toBe(true);
    const taken = await b.acquire('imap', 300);
    expect(taken.ok && taken.lease.token > lease.token).toBe(true);
    expect(await a.release(lease)).toBe(false);
    const listed = await b.list();
    expect(listed.map((l) => [l.name, l.owner])).toEqual([['imap', 'replica-b']]);
  });

  it('a fenced write that is in flight holds off the takeover until it commits (writes never interleave tokens)', async () => {
    const a = new LeaseManager(pool, { replicaId: 'replica-a' });
    const b = new LeaseManager(pool, { replicaId: 'replica-b' });
    const got = await a.acquire('wecom', 600);
    if (!got.ok) throw new Error('free lease');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slowWrite = fencedWrite(
      pool,
      got.lease,
      async (c) => {
        await c.query('INSERT INTO sent (by, token) VALUES ($1, $2)', ['a', got.lease.token.toString()]);
        await gate; // the lease expires in the database while this transaction is open
      },
      { maxHoldMs: 10_000 },
    );
    await waitForExpiry(pool, 'wecom', 5_000);
    let takenAt = 0;
    const takeover = b.acquire('wecom', 5_000).then((r) => {
      takenAt = performance.now();
      return r;
    });
    await sleep(150);
    expect(takenAt).toBe(0); // blocked behind the fenced transaction's row lock
    const committedAt = performance.now();
    release();
    await slowWrite;
    const taken = await takeover;
    expect(taken.ok).toBe(true);
    expect(takenAt).toBeGreaterThanOrEqual(committedAt);
  });

  it('a stuck fenced write is cut by the server after maxHoldMs, rolled back, and the takeover proceeds', async () => {
    const a = new LeaseManager(pool, { replicaId: 'replica-a' });
    const b = new LeaseManager(pool, { replicaId: 'replica-b' });
    const got = await a.acquire('dingtalk', 600);
    if (!got.ok) throw new Error('free lease');
    const stuck = fencedWrite(
      pool,
      got.lease,
      async (c) => {
        await c.query('INSERT INTO sent (by, token) VALUES ($1, $2)', ['stuck', got.lease.token.toString()]);
        await sleep(1_500); // idle in transaction, holding the lease row
      },
      { maxHoldMs: 800 },
    ).catch((e: unknown) => e);
    await waitForExpiry(pool, 'dingtalk', 5_000);
    const taken = await b.acquire('dingtalk', 5_000); // waits for the server to cut the stuck transaction
    expect(taken.ok).toBe(true);
    expect(await stuck).toBeInstanceOf(Error);
    const sent = await pool.query("SELECT count(*)::int AS n FROM sent WHERE by = 'stuck'");
    expect(sent.rows[0].n).toBe(0);
  });

  it('rejects an invalid TTL with a typed error', async () => {
    const a = new LeaseManager(pool);
    const error = await a.acquire('x', 5).catch((e: unknown) => e);
    expect(isStatePostgresError(error, 'lease_invalid')).toBe(true);
    expect(a.replicaId).toMatch(/:\d+:/);
  });
});
