import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresStorage } from '../state/postgres/index.js';
import { freshSchemaUrl, pgSuiteName, postgres } from '../state/postgres/test-support/pg-fixture.js';
import type { StateStorage } from '../state/storage.js';
import { CRON_JOBS_KEY, CronJobsStore, isDue, type NewCronJob } from './jobs-store.js';
import { parseSchedule } from './schedule.js';

const STALE_MS = 60_000;

const job = (
  name: string,
  nextRunAt: string | null = new Date(Date.now() - 1000).toISOString(),
): NewCronJob => ({
  name,
  prompt: `say ${name}`,
  schedule: parseSchedule('every 1h'),
  deliver: 'local',
  repeat: { times: null, completed: 0 },
  next_run_at: nextRunAt,
});

/** Two stores over one jobs document: two handles on one file, or two replicas on one database. */
interface Backend {
  name: string;
  open(): Promise<{ a: CronJobsStore; b: CronJobsStore; storages: StateStorage[] }>;
}

const dirs: string[] = [];
const opened: StateStorage[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const cronDir = () => {
  const home = mkdtempSync(join(tmpdir(), 'hermes-cron-'));
  dirs.push(home);
  return join(home, 'cron');
};

const files: Backend = {
  name: 'files (cron/jobs.json)',
  async open() {
    const dir = cronDir();
    return { a: new CronJobsStore(dir), b: new CronJobsStore(dir), storages: [] };
  },
};

const kv: Backend = {
  name: pgSuiteName('shared state (kv on PostgreSQL, two replicas)'),
  async open() {
    const { url } = await freshSchemaUrl();
    const storages: StateStorage[] = [];
    for (const replicaId of ['replica-a', 'replica-b']) {
      const s = await openPostgresStorage(url, { replicaId });
      opened.push(s);
      storages.push(s);
    }
    // Each replica has its own HERMES_HOME: only the shared document may connect them.
    return {
      a: new CronJobsStore(cronDir(), storages[0]),
      b: new CronJobsStore(cronDir(), storages[1]),
      storages,
    };
  },
};

for (const backend of [files, kv]) {
  describe.skipIf(backend === kv && !postgres.ok)(`CronJobsStore on ${backend.name}`, () => {
    it('adds, lists, finds by id or name, updates and removes, seen through either handle', async () => {
      const { a, b } = await backend.open();
      expect(await a.list()).toEqual([]);
      const added = await a.add(job('news'));
      expect(added).toMatchObject({ name: 'news', state: 'scheduled', enabled: true, last_status: null });
      expect(await b.list()).toEqual([added]);
      expect(await b.get('news')).toEqual(added);
      expect(await b.get(added.id)).toEqual(added);
      const paused = await b.update('news', (j) => ({ ...j, enabled: false }));
      expect(paused?.enabled).toBe(false);
      expect((await a.get(added.id))?.enabled).toBe(false);
      expect(await a.update('missing', (j) => j)).toBeUndefined();
      await a.add(job('other'));
      expect(await b.remove(added.id)).toBe(true);
      expect(await b.remove(added.id)).toBe(false);
      expect((await a.list()).map((j) => j.name)).toEqual(['other']);
    });

    it('lets exactly one of many racing claims take a due run', async () => {
      const { a, b } = await backend.open();
      const due = await a.add(job('due'));
      const now = new Date();
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? a : b).claim(due.id, { now, staleAfterMs: STALE_MS, dueOnly: true }),
        ),
      );
      const won = claims.filter((c) => c !== undefined);
      expect(won).toHaveLength(1);
      expect(won[0]).toMatchObject({ state: 'running', claimed_at: now.toISOString() });
      expect(won[0]?.claimed_by).toBe((claims.indexOf(won[0]) % 2 ? a : b).runner);
      // Held: neither the ticker nor a manual run takes it while the claim is live.
      expect(await a.claim(due.id, { now, staleAfterMs: STALE_MS, dueOnly: false })).toBeUndefined();
      expect(isDue((await a.get(due.id))!, now, STALE_MS)).toBe(false);
    });

    it('claims only due, enabled jobs for the ticker; a manual run takes any job not running', async () => {
      const { a } = await backend.open();
      const now = new Date();
      const later = await a.add(job('later', new Date(now.getTime() + 3_600_000).toISOString()));
      const off = await a.add(job('off'));
      await a.update(off.id, (j) => ({ ...j, enabled: false }));
      const opts = { now, staleAfterMs: STALE_MS, dueOnly: true };
      expect(await a.claim(later.id, opts)).toBeUndefined();
      expect(await a.claim(off.id, opts)).toBeUndefined();
      expect(await a.claim('no-such-job', opts)).toBeUndefined();
      expect(await a.claim(later.id, { ...opts, dueOnly: false })).toMatchObject({ state: 'running' });
    });

    it('finishes only under the claim it made, and leaves no claim behind', async () => {
      const { a, b } = await backend.open();
      const j = await a.add(job('slow'));
      const t0 = new Date();
      const first = await a.claim(j.id, { now: t0, staleAfterMs: STALE_MS, dueOnly: true });
      expect(first).toBeDefined();
      // The first runner is presumed dead once its claim is older than the bound: the run may be taken again.
      const later = new Date(t0.getTime() + STALE_MS + 1);
      expect(isDue((await b.get(j.id))!, later, STALE_MS)).toBe(true);
      const second = await b.claim(j.id, { now: later, staleAfterMs: STALE_MS, dueOnly: true });
      expect(second).toMatchObject({ claimed_at: later.toISOString(), claimed_by: b.runner });
      // The first run, late, must not reschedule the job under the second one.
      expect(
        await a.finish(first!, (x) => ({ ...x, state: 'scheduled', last_status: 'ok' })),
      ).toBeUndefined();
      expect((await a.get(j.id))?.state).toBe('running');
      const done = await b.finish(second!, (x) => ({ ...x, state: 'scheduled', last_status: 'ok' }));
      expect(done).toMatchObject({ state: 'scheduled', last_status: 'ok' });
      expect(done).not.toHaveProperty('claimed_by');
      expect(await a.get(j.id)).not.toHaveProperty('claimed_at');
    });
  });
}

describe('CronJobsStore placement', () => {
  it('keeps jobs in cron/jobs.json, in the Python gateway’s document, without replicas', async () => {
    const dir = cronDir();
    const store = new CronJobsStore(dir);
    const added = await store.add(job('filed'));
    expect(store.location).toBe(join(dir, 'jobs.json'));
    expect(JSON.parse(readFileSync(join(dir, 'jobs.json'), 'utf8'))).toEqual({ jobs: [added] });
  });

  it.skipIf(!postgres.ok)(
    pgSuiteName('keeps jobs in the shared kv (not jobs.json) when the storage has replicas'),
    async () => {
      const { url } = await freshSchemaUrl();
      const storage = await openPostgresStorage(url, { replicaId: 'replica-a' });
      opened.push(storage);
      const dir = cronDir();
      const store = new CronJobsStore(dir, storage);
      const added = await store.add(job('shared'));
      expect(await storage.kv.get(CRON_JOBS_KEY)).toEqual({ jobs: [added] });
      expect(() => readFileSync(join(dir, 'jobs.json'))).toThrow();
      expect(store.runner).toBe('replica-a');
      // A storage without replicas (one process alone) keeps the files, as before.
      const alone = await openPostgresStorage(url);
      opened.push(alone);
      expect(new CronJobsStore(dir, alone).location).toBe(join(dir, 'jobs.json'));
    },
  );
});
