import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  COORDINATION_SCOPE,
  coordinationMigrations,
  LeaseKeeper,
  type LeaseLostReason,
  LeaseManager,
  migrate,
} from '../src/index.js';
import { startFreezeProxy } from './freeze-proxy.js';
import { avail, suiteName, usePostgres } from './pg-fixture.js';

function lostSignal(): { promise: Promise<LeaseLostReason>; onLost: (r: LeaseLostReason) => void } {
  let onLost!: (r: LeaseLostReason) => void;
  const promise = new Promise<LeaseLostReason>((resolve) => {
    onLost = resolve;
  });
  return { promise, onLost };
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    sleep(ms).then(() => {
      throw new Error(`${what} did not happen within ${ms} ms`);
    }),
  ]);
}

describe.skipIf(!avail.ok)(suiteName('LeaseKeeper against a real PostgreSQL'), () => {
  const fixture = usePostgres();

  it('keeps a lease alive past several TTLs while the database answers', async () => {
    const pool = await fixture.pool();
    await migrate(pool, coordinationMigrations, { scope: COORDINATION_SCOPE });
    const a = new LeaseManager(pool, { replicaId: 'a' });
    const b = new LeaseManager(pool, { replicaId: 'b' });
    const got = await a.acquire('slack', 900);
    if (!got.ok) throw new Error('free lease');
    const lost = lostSignal();
    const keeper = new LeaseKeeper({ manager: a, lease: got.lease, onLost: lost.onLost });
    keeper.start();
    await sleep(2_000); // more than two TTLs
    expect(keeper.held()).toBe(true);
    expect(await b.acquire('slack', 900)).toMatchObject({ ok: false, owner: 'a' });
    await keeper.stop({ release: true });
    expect((await b.acquire('slack', 900)).ok).toBe(true);
  });

  it('database unreachable: onLost fires BEFORE the lease expires in the database, then the other replica takes over', async () => {
    const url = await fixture.freshUrl();
    const direct = await fixture.pool(url);
    await migrate(direct, coordinationMigrations, { scope: COORDINATION_SCOPE });
    const proxy = await startFreezeProxy(fixture.port());
    const proxied = new URL(url);
    proxied.port = String(proxy.port);
    const viaProxy = new pg.Pool({ connectionString: proxied.toString(), max: 2 });
    viaProxy.on('error', () => {});
    try {
      const owner = new LeaseManager(viaProxy, { replicaId: 'partitioned' });
      const other = new LeaseManager(direct, { replicaId: 'survivor' });
      const got = await owner.acquire('matrix-sync', 1_000);
      if (!got.ok) throw new Error('free lease');
      let stillValidInDbWhenLost: boolean | undefined;
      const lost = lostSignal();
      const keeper = new LeaseKeeper({
        manager: owner,
        lease: got.lease,
        // Wide enough that the check below (a query on a loaded machine) lands before the expiry it checks.
        safetyMarginMs: 300,
        onLost: (reason) => {
          // Ask the database, over the healthy path, whether anyone else could already own it.
          void direct
            .query('SELECT expires_at > clock_timestamp() AS valid FROM hermes_leases WHERE name = $1', [
              'matrix-sync',
            ])
            .then((r) => {
              stillValidInDbWhenLost = r.rows[0]?.valid;
              lost.onLost(reason);
            });
        },
      });
      keeper.start();
      await sleep(250); // a renewal or two go through
      expect(keeper.held()).toBe(true);
      proxy.freeze(); // from here every renew hangs, as in a partition or a paused database
      const reason = await within(lost.promise, 3_000, 'onLost');
      expect(reason).toBe('renew_deadline');
      expect(keeper.held()).toBe(false);
      expect(stillValidInDbWhenLost).toBe(true);
      expect(await other.acquire('matrix-sync', 1_000)).toMatchObject({ ok: false, owner: 'partitioned' });

      const until = Date.now() + 3_000;
      let taken = await other.acquire('matrix-sync', 1_000);
      while (!taken.ok && Date.now() < until) {
        await sleep(25);
        taken = await other.acquire('matrix-sync', 1_000);
      }
      expect(taken.ok && taken.lease.token > got.lease.token).toBe(true);
      await keeper.stop();
    } finally {
      await proxy.close();
      await viaProxy.end().catch(() => {});
    }
  });

  it('a process paused past its deadline (timers did not run) is not held() the moment it looks', async () => {
    const pool = await fixture.pool();
    await migrate(pool, coordinationMigrations, { scope: COORDINATION_SCOPE });
    const a = new LeaseManager(pool, { replicaId: 'a' });
    const got = await a.acquire('signal', 300);
    if (!got.ok) throw new Error('free lease');
    const reasons: LeaseLostReason[] = [];
    const keeper = new LeaseKeeper({ manager: a, lease: got.lease, onLost: (r) => reasons.push(r) });
    keeper.start();
    // Block the event loop like SIGSTOP would: no timer, no renewal can run meanwhile.
    const end = performance.now() + 400;
    while (performance.now() < end) {
      /* busy: the process is "paused" */
    }
    expect(keeper.held()).toBe(false);
    expect(reasons).toEqual(['renew_deadline']);
    await keeper.stop();
  });

  it('the lease taken over while the owner was partitioned: renew says lease_lost', async () => {
    const pool = await fixture.pool();
    await migrate(pool, coordinationMigrations, { scope: COORDINATION_SCOPE });
    const a = new LeaseManager(pool, { replicaId: 'a' });
    const b = new LeaseManager(pool, { replicaId: 'b' });
    const got = await a.acquire('mattermost', 5_000);
    if (!got.ok) throw new Error('free lease');
    // An operator (or a bug) expires it in the database; the keeper must learn it from the next renew.
    await pool.query("UPDATE hermes_leases SET expires_at = clock_timestamp() WHERE name = 'mattermost'");
    expect((await b.acquire('mattermost', 5_000)).ok).toBe(true);
    const lost = lostSignal();
    const keeper = new LeaseKeeper({ manager: a, lease: got.lease, onLost: lost.onLost });
    keeper.start();
    expect(await within(lost.promise, 4_000, 'onLost')).toBe('lease_lost');
  });
});
