import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStorage } from './postgres/index.js';
import { asAdmin, freshSchemaUrl, pgSuiteName, postgres } from './postgres/test-support/pg-fixture.js';
import type { ConnectionClaim, ReplicaCoordination, StateStorage } from './storage.js';

const suite = describe.skipIf(!postgres.ok);
const chat = { platform: 'telegram', chatId: '42', chatType: 'dm' } as const;

suite(pgSuiteName('PostgreSQL replicas: connection leases fence the writes'), () => {
  const opened: StateStorage[] = [];
  const claims: ConnectionClaim[] = [];
  afterEach(async () => {
    for (const c of claims.splice(0)) await c.release();
    for (const s of opened.splice(0)) await s.close();
  });

  const replica = async (url: string, id: string) => {
    const storage = await openPostgresStorage(url, { replicaId: id });
    opened.push(storage);
    return { storage, coordination: storage.replicas as ReplicaCoordination };
  };

  const claim = async (c: ReplicaCoordination, platform: string, ttlMs: number, lost: string[] = []) => {
    const result = await c.claimConnection(platform, ttlMs, (reason) => lost.push(reason));
    if (result.ok) claims.push(result.claim);
    return result;
  };

  it('one holder at a time; after a takeover the old holder cannot answer or mark a reply sending, and what it still journals is handed over', async () => {
    const { url, schema } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    const aLost: string[] = [];
    const first = await claim(a.coordination, 'telegram', 60_000, aLost);
    expect(first.ok).toBe(true);
    const refused = await claim(b.coordination, 'telegram', 60_000);
    expect(refused).toMatchObject({ ok: false });
    if (!refused.ok) expect(refused.expiresInMs).toBeGreaterThan(50_000);

    // A holds it: its writes for telegram commit; an unfenced platform is untouched by the lease.
    const entry = await a.storage.journal.record('telegram:1', 'telegram', '{}');
    expect(entry).toBeGreaterThan(0);
    const [queued] = await a.storage.outbox.enqueue(chat, [{ text: 'queued before the takeover' }]);
    expect(await b.storage.journal.record('slack:1', 'slack', '{}')).toBeGreaterThan(0);

    // A is paused past its lease (simulated in the database's clock); B takes the connection over.
    await asAdmin((c) =>
      c.query(
        `UPDATE ${schema}.hermes_leases SET expires_at = clock_timestamp() WHERE name = 'connection:telegram'`,
      ),
    );
    const second = await claim(b.coordination, 'telegram', 60_000);
    expect(second.ok).toBe(true);
    if (first.ok && second.ok) expect(second.claim.token).toBeGreaterThan(first.claim.token);

    const stale = { code: 'state_lease_lost' };
    // A message only A's socket received (a WeCom callback pushed while A was paused) is still journaled:
    // a claim decides who runs it, the dedupe key that it runs once; refusing it would lose it.
    const late = await a.storage.journal.record('telegram:2', 'telegram', '{}');
    expect(late).toBeGreaterThan(0);
    await expect(
      a.storage.units.recordReply({ chat, messages: [{ text: 'late' }], journalIds: [entry!] }),
    ).rejects.toMatchObject(stale);
    await expect(a.storage.outbox.markSending(queued!)).rejects.toMatchObject(stale);
    await expect(a.storage.outbox.enqueue(chat, [{ text: 'late' }])).rejects.toMatchObject(stale);
    // Nothing of A's refused work is left half-written: the entry is open and the reply pending, for B.
    expect((await b.storage.journal.open({ platforms: ['telegram'] })).map((e) => e.id)).toEqual([
      entry,
      late,
    ]);
    expect((await b.storage.outbox.pending({ platforms: ['telegram'] })).map((e) => e.id)).toEqual([queued]);
    await b.storage.outbox.markSending(queued!);
    expect(await b.storage.outbox.get(queued!)).toMatchObject({ state: 'sending' });
    // The new holder fetching the same message again finds it journaled: a duplicate, not a second entry.
    expect(await b.storage.journal.record('telegram:2', 'telegram', '{}')).toBeUndefined();
    expect(await b.storage.journal.record('telegram:3', 'telegram', '{}')).toBeGreaterThan(0);
  });

  it('the keeper renews the lease while held, and a released lease is taken at once and refuses the releaser', async () => {
    const { url } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    const got = await claim(a.coordination, 'discord', 300);
    expect(got.ok).toBe(true);
    // Three TTLs later it is still A's: the heartbeat kept it.
    await new Promise((r) => setTimeout(r, 900));
    expect(got.ok && got.claim.held()).toBe(true);
    expect(await claim(b.coordination, 'discord', 300)).toMatchObject({ ok: false });
    if (got.ok) await got.claim.release();
    expect(await claim(b.coordination, 'discord', 300)).toMatchObject({ ok: true });
    await expect(
      a.storage.outbox.enqueue({ ...chat, platform: 'discord' }, [{ text: 'after the release' }]),
    ).rejects.toMatchObject({ code: 'state_lease_lost' });
  });

  it('a fenced write stuck in the database is cut after half the lease: it cannot hold off a takeover', async () => {
    const { url, schema } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const got = await claim(a.coordination, 'telegram', 2_000);
    expect(got.ok).toBe(true);
    const entry = (await a.storage.journal.record('telegram:stuck', 'telegram', '{}'))!;
    const other = (await a.storage.journal.record('telegram:next', 'telegram', '{}'))!;
    // Another session holds the row A is about to write, uncommitted: A's fenced transaction (its reply's
    // record closes the entry) waits on it while holding the lease row, as one paused mid-write would.
    const blocker = new pg.Client({ connectionString: url });
    blocker.on('error', () => {});
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM ${schema}.inbound WHERE id = $1 FOR UPDATE`, [entry]);
      const started = Date.now();
      const stuck = a.storage.units.recordReply({ chat, messages: [{ text: 'stuck' }], journalIds: [entry] });
      const outcome = await Promise.race([
        stuck.then(
          () => 'committed',
          () => 'cut',
        ),
        new Promise((r) => setTimeout(() => r('still waiting'), 5_000)),
      ]);
      expect(outcome).toBe('cut');
      expect(Date.now() - started).toBeLessThan(2_000);
      // The lease row is free again: the holder renews, and its next write commits.
      expect(
        await a.storage.units.recordReply({ chat, messages: [{ text: 'next' }], journalIds: [other] }),
      ).toHaveLength(1);
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      await blocker.end();
    }
  });

  it('replicas() shows each replica, what it owns and its open work', async () => {
    const { url } = await freshSchemaUrl();
    const a = await replica(url, 'replica-a');
    const b = await replica(url, 'replica-b');
    await a.coordination.heartbeat();
    await b.coordination.heartbeat();
    await claim(a.coordination, 'telegram', 60_000);
    await a.storage.journal.record('telegram:9', 'telegram', '{}');
    await b.storage.outbox.enqueue({ ...chat, platform: 'api_server' }, [{ text: 'x' }, { text: 'y' }]);
    const view = await b.coordination.replicas();
    expect(view.map((r) => r.id)).toEqual(['replica-a', 'replica-b']);
    const [ra, rb] = view;
    expect(ra).toMatchObject({ alive: true, pid: process.pid, openMessages: 1, pendingReplies: 0 });
    expect(ra!.owns.map((o) => o.platform)).toEqual(['telegram']);
    expect(ra!.owns[0]!.heldForMs).toBeGreaterThanOrEqual(0);
    expect(rb).toMatchObject({ alive: true, owns: [], openMessages: 0, pendingReplies: 2 });
  });

  it('without a replica id the PostgreSQL engine offers no coordination (a gateway alone)', async () => {
    const { url } = await freshSchemaUrl();
    const alone = await openPostgresStorage(url);
    try {
      expect(alone.replicas).toBeUndefined();
    } finally {
      await alone.close();
    }
  });
});
