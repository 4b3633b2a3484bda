import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { LeaseKeeper, type LeaseLostReason } from './lease-keeper.js';
import type { Lease, LeaseManager } from './leases.js';

/** A database that never answers: every renew hangs, as behind a partition. */
const unreachable: Pick<LeaseManager, 'renew' | 'release'> = {
  renew: () => new Promise(() => {}),
  release: () => new Promise(() => {}),
};

describe('LeaseKeeper deadline', () => {
  it('still declares the loss when its deadline timer fires before the clock reaches the deadline', async () => {
    // Timers run on the event loop's cached time and may fire a little early by performance.now(): the keeper
    // must re-arm rather than conclude it still holds the lease and never look again.
    let lag = 0;
    const now = (): number => performance.now() - lag;
    const lease: Lease = { name: 'x', token: 1n, ttlMs: 600, expiresAt: new Date(), safeUntil: now() + 600 };
    const reasons: LeaseLostReason[] = [];
    const keeper = new LeaseKeeper({
      manager: unreachable,
      lease,
      safetyMarginMs: 100,
      now,
      onLost: (r) => reasons.push(r),
    });
    keeper.start();
    lag = 80; // from here the keeper's clock reads 80 ms behind the timers
    await sleep(1_200);
    expect(reasons).toEqual(['renew_deadline']);
    expect(keeper.held()).toBe(false);
    await keeper.stop();
  });

  it('refuses a safety margin that leaves no time to renew', () => {
    const lease: Lease = { name: 'x', token: 1n, ttlMs: 600, expiresAt: new Date(), safeUntil: 0 };
    expect(
      () => new LeaseKeeper({ manager: unreachable, lease, safetyMarginMs: 300, onLost: () => {} }),
    ).toThrow(/safetyMarginMs/);
  });
});
