import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  COORDINATION_SCOPE,
  coordinationMigrations,
  migrate,
  startWorkWaiter,
  WorkQueue,
} from '../src/index.js';
import { avail, suiteName, usePostgres } from './pg-fixture.js';

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what} did not happen within ${ms} ms`);
    await sleep(10);
  }
}

describe.skipIf(!avail.ok)(suiteName('work queue against a real PostgreSQL'), () => {
  const fixture = usePostgres();

  async function setup(): Promise<{ url: string; pool: pg.Pool }> {
    const url = await fixture.freshUrl();
    const pool = await fixture.pool(url);
    await migrate(pool, coordinationMigrations, { scope: COORDINATION_SCOPE });
    return { url, pool };
  }

  it('four workers draining 200 items concurrently: every item claimed and completed exactly once', async () => {
    const { url, pool } = await setup();
    const producer = new WorkQueue(pool);
    for (let i = 0; i < 200; i++) await producer.enqueue('inbound', { n: i });
    const seen: number[] = [];
    const workers = await Promise.all(
      [1, 2, 3, 4].map(async (w) => new WorkQueue(await fixture.pool(url), { workerId: `w${w}` })),
    );
    const counts = await Promise.all(
      workers.map(async (q) => {
        let mine = 0;
        for (;;) {
          const items = await q.claim<{ n: number }>('inbound', { limit: 3, claimMs: 30_000 });
          if (items.length === 0) return mine;
          for (const item of items) {
            seen.push(item.payload.n);
            expect(await q.complete(item)).toBe(true);
            mine++;
          }
        }
      }),
    );
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(200);
    expect(await producer.depth('inbound')).toBe(0);
  });

  it("a dead worker's claim expires: another worker takes the item and the late completion is refused", async () => {
    const { pool } = await setup();
    const dead = new WorkQueue(pool, { workerId: 'dead' });
    const alive = new WorkQueue(pool, { workerId: 'alive' });
    await dead.enqueue('outbox', { reply: 'hello' });
    const [first] = await dead.claim('outbox', { claimMs: 200 });
    if (!first) throw new Error('item expected');
    expect(await alive.claim('outbox', { claimMs: 200 })).toEqual([]);
    await sleep(300);
    const [again] = await alive.claim('outbox', { claimMs: 5_000 });
    expect(again?.id).toBe(first.id);
    expect(again?.attempts).toBe(2);
    expect(await dead.complete(first)).toBe(false);
    expect(await alive.complete(again!)).toBe(true);
  });

  it('a delayed item and a retried item wait their turn; items of other queues are not claimed', async () => {
    const { pool } = await setup();
    const q = new WorkQueue(pool);
    await q.enqueue('cron', { later: true }, { delayMs: 60_000 });
    await q.enqueue('other', { x: 1 });
    expect(await q.claim('cron', { claimMs: 1_000 })).toEqual([]);
    await q.enqueue('cron', { now: true });
    const [item] = await q.claim('cron', { claimMs: 1_000 });
    expect(item?.payload).toEqual({ now: true });
    expect(await q.retry(item!, 60_000)).toBe(true);
    expect(await q.claim('cron', { claimMs: 1_000 })).toEqual([]);
    expect(await q.depth('cron')).toBe(2);
  });

  it('NOTIFY wakes a waiter at once (no polling within the test), only after the enqueuing transaction commits', async () => {
    const { url, pool } = await setup();
    const wakes: string[] = [];
    const waiter = startWorkWaiter({
      connectionString: url,
      queue: 'inbound',
      pollMs: 600_000,
      onWake: (w) => wakes.push(w),
    });
    try {
      await waiter.ready;
      expect(waiter.listening()).toBe(true);
      const q = new WorkQueue(pool);
      await q.enqueue('elsewhere', {});
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await q.enqueue('inbound', { n: 1 }, { client });
        await sleep(200);
        expect(wakes).toEqual([]); // not committed yet: nothing to claim, no wake-up
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      await until(() => wakes.length > 0, 5_000, 'the NOTIFY wake-up');
      expect(wakes).toEqual(['notify']);
    } finally {
      await waiter.close();
    }
  });

  it('polling still wakes the waiter when its LISTEN connection was killed, and the waiter listens again', async () => {
    const { url, pool } = await setup();
    const wakes: string[] = [];
    const errors: unknown[] = [];
    const waiter = startWorkWaiter({
      connectionString: url,
      queue: 'inbound',
      pollMs: 200,
      onWake: (w) => wakes.push(w),
      onError: (e) => errors.push(e),
    });
    try {
      await waiter.ready;
      await pool.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hermes-work-waiter'",
      );
      await until(() => !waiter.listening(), 5_000, 'the waiter noticing its dead connection');
      wakes.length = 0;
      await until(() => wakes.includes('poll'), 5_000, 'a polling wake-up');
      await until(() => waiter.listening(), 5_000, 'the waiter listening again');
      wakes.length = 0;
      await new WorkQueue(pool).enqueue('inbound', {});
      await until(() => wakes.includes('notify'), 5_000, 'a NOTIFY after reconnecting');
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await waiter.close();
    }
  });
});
