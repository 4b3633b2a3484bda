import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgresStorage } from '../state/postgres/index.js';
import { freshSchemaUrl, pgSuiteName, postgres } from '../state/postgres/test-support/pg-fixture.js';
import { openSqliteStorage } from '../state/sqlite-storage.js';
import type { KvStorage, StateStorage } from '../state/storage.js';
import { kvPairingDocuments, PAIRING, PairingStore } from './pairing-store.js';

/** One place the pairing documents live, opened fresh for each test. */
interface Backend {
  /** A store on these documents (another process or replica opens its own on the same place). */
  store(now: () => number): PairingStore;
  /** Everything stored, as text: to check that no code is kept in plain text. */
  storedText(): Promise<string>;
  /** Makes a document unusable, as a hand-edited file gone wrong would be. */
  corrupt(name: string): Promise<void>;
  /** Whether the document is still as `corrupt` left it. */
  stillCorrupt(name: string): Promise<boolean>;
  /** Replaces the document by an empty one, as the owner fixing it would. */
  repair(name: string): Promise<void>;
  close(): Promise<void>;
}

const DOC_NAMES = ['telegram', 'slack', 'discord'].flatMap((p) => [
  `${p}-pending.json`,
  `${p}-approved.json`,
]);
const CORRUPT = '{not json';

function filesBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-pairing-'));
  return {
    store: (now) => new PairingStore(dir, now),
    storedText: async () =>
      readdirSync(dir)
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .join('\n'),
    corrupt: async (name) => writeFileSync(join(dir, name), CORRUPT),
    stillCorrupt: async (name) => readFileSync(join(dir, name), 'utf8') === CORRUPT,
    repair: async (name) => writeFileSync(join(dir, name), '{}'),
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The kv documents of `storage`; `cleanup` runs after it is closed. */
function kvBackend(storage: StateStorage, cleanup: () => void = () => {}): Backend {
  const kv: KvStorage = storage.kv;
  const names = [...DOC_NAMES, '_rate_limits.json'];
  return {
    store: (now) => new PairingStore(kvPairingDocuments(kv), now),
    storedText: async () =>
      JSON.stringify(await Promise.all(names.map((n) => kv.get<unknown>(`pairing:${n}`)))),
    // A JSON value that is not an object: the kv store only holds valid JSON.
    corrupt: (name) => kv.set(`pairing:${name}`, CORRUPT),
    stillCorrupt: async (name) => (await kv.get<unknown>(`pairing:${name}`)) === CORRUPT,
    repair: (name) => kv.delete(`pairing:${name}`),
    close: async () => {
      await storage.close();
      cleanup();
    },
  };
}

function sqliteKvBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'hermes-pairing-kv-'));
  return kvBackend(openSqliteStorage(join(dir, 'state.db')), () =>
    rmSync(dir, { recursive: true, force: true }),
  );
}

async function postgresKvBackend(): Promise<Backend> {
  const { url } = await freshSchemaUrl();
  return kvBackend(await openPostgresStorage(url, { replicaId: 'replica-a' }));
}

/** The same behaviour, whichever backend keeps the documents. */
function pairingBehaviour(open: () => Backend | Promise<Backend>): void {
  let backend: Backend;
  let clock: number;
  let store: PairingStore;
  beforeEach(async () => {
    backend = await open();
    clock = 1_800_000_000;
    store = backend.store(() => clock);
  });
  afterEach(() => backend.close());

  async function code(platform: string, user: string): Promise<string> {
    const r = await store.generateCode(platform, user, `name-${user}`);
    if (!r.ok) throw new Error(`no code: ${r.reason}`);
    return r.code;
  }

  it('issues 8-char codes from the 32-symbol alphabet and never stores them in plain text', async () => {
    const c = await code('telegram', 'u1');
    expect(c).toMatch(new RegExp(`^[${PAIRING.alphabet}]{8}$`));
    const stored = await backend.storedText();
    expect(stored).toContain('u1');
    expect(stored).not.toContain(c);
  });

  it('approves a code case-insensitively, once, and the user becomes approved', async () => {
    const c = await code('telegram', 'u1');
    expect(await store.approveCode('telegram', ` ${c.toLowerCase()} `)).toEqual({
      ok: true,
      userId: 'u1',
      userName: 'name-u1',
    });
    expect(await store.isApproved('telegram', 'u1')).toBe(true);
    expect(await store.isApproved('discord', 'u1')).toBe(false);
    expect(await store.approveCode('telegram', c)).toEqual({ ok: false, reason: 'invalid_code' });
  });

  it('gives one code per user per 10 minutes and at most 3 pending per platform', async () => {
    await code('telegram', 'u1');
    expect(await store.generateCode('telegram', 'u1')).toEqual({ ok: false, reason: 'rate_limited' });
    await code('telegram', 'u2');
    await code('telegram', 'u3');
    expect(await store.generateCode('telegram', 'u4')).toEqual({ ok: false, reason: 'too_many_pending' });
    expect((await store.generateCode('slack', 'u4')).ok).toBe(true);
    clock += PAIRING.rateLimitSeconds;
    expect(await store.generateCode('telegram', 'u1')).toEqual({ ok: false, reason: 'too_many_pending' });
    expect(await store.generateCode('telegram', 'u5')).toEqual({ ok: false, reason: 'too_many_pending' });
    // A refused request does not use up the user's rate-limit slot: once a place frees up, the code comes.
    expect(await store.clearPending('telegram')).toBe(3);
    expect((await store.generateCode('telegram', 'u5')).ok).toBe(true);
  });

  it('expires codes after one hour', async () => {
    const c = await code('telegram', 'u1');
    clock += PAIRING.codeTtlSeconds;
    expect(await store.approveCode('telegram', c)).toEqual({ ok: false, reason: 'invalid_code' });
    expect(await store.listPending(['telegram'])).toEqual([]);
  });

  it('locks the platform for an hour after 5 wrong approvals, even for the right code', async () => {
    const c = await code('telegram', 'u1');
    for (let i = 0; i < PAIRING.maxFailedAttempts; i++) await store.approveCode('telegram', 'WRONGWRO');
    expect(await store.isLockedOut('telegram')).toBe(true);
    expect(await store.approveCode('telegram', c)).toEqual({ ok: false, reason: 'locked_out' });
    expect(await store.generateCode('telegram', 'u9')).toEqual({ ok: false, reason: 'locked_out' });
    expect(await store.isLockedOut('slack')).toBe(false);
    clock += PAIRING.lockoutSeconds + 1;
    expect(await store.approveCode('telegram', c)).toEqual({ ok: false, reason: 'invalid_code' });
  });

  it('lists pending requests with a hash prefix only, revokes and clears', async () => {
    await code('telegram', 'u1');
    const [view] = await store.listPending(['telegram']);
    expect(view).toMatchObject({ platform: 'telegram', userId: 'u1', userName: 'name-u1' });
    expect(view?.hashPrefix).toMatch(/^[0-9a-f]{8}$/);
    expect(await store.clearPending('telegram')).toBe(1);
    expect(await store.listPending(['telegram'])).toEqual([]);
    const c = await code('slack', 'u2');
    await store.approveCode('slack', c);
    expect(await store.listApproved('slack')).toEqual([
      { userId: 'u2', userName: 'name-u2', approvedAt: clock },
    ]);
    expect(await store.revoke('slack', 'u2')).toBe(true);
    expect(await store.revoke('slack', 'u2')).toBe(false);
    expect(await store.isApproved('slack', 'u2')).toBe(false);
  });

  it('never overwrites a corrupt document and refuses to issue codes while it is corrupt', async () => {
    await backend.corrupt('telegram-pending.json');
    expect(await store.generateCode('telegram', 'u1')).toEqual({ ok: false, reason: 'store_unreadable' });
    expect(await store.approveCode('telegram', 'ABCDEFGH')).toEqual({
      ok: false,
      reason: 'store_unreadable',
    });
    expect(await store.clearPending('telegram')).toBeUndefined();
    expect(await backend.stillCorrupt('telegram-pending.json')).toBe(true);
    // The refused request did not use up the user's rate-limit slot: once repaired, the code comes.
    await backend.repair('telegram-pending.json');
    expect((await store.generateCode('telegram', 'u1')).ok).toBe(true);
  });

  it('is shared state: a second store on the same documents (another process) sees approvals at once', async () => {
    const c = await code('telegram', 'u1');
    const cli = backend.store(() => clock);
    expect((await cli.approveCode('telegram', c)).ok).toBe(true);
    expect(await store.isApproved('telegram', 'u1')).toBe(true);
  });
}

describe('PairingStore on files', () => {
  pairingBehaviour(filesBackend);

  it("keeps the Python gateway's files, mode 0600", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermes-pairing-'));
    try {
      const store = new PairingStore(dir, () => 1_800_000_000);
      const r = await store.generateCode('telegram', 'u1', 'Ann');
      if (!r.ok) throw new Error(r.reason);
      await store.approveCode('telegram', r.code);
      expect(readdirSync(dir).sort()).toEqual([
        '_rate_limits.json',
        'telegram-approved.json',
        'telegram-pending.json',
      ]);
      for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(join(dir, 'telegram-approved.json'), 'utf8'))).toEqual({
        u1: { user_name: 'Ann', approved_at: 1_800_000_000 },
      });
      expect(await store.platformsStored()).toEqual(['telegram']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PairingStore on the kv store (SQLite)', () => {
  pairingBehaviour(sqliteKvBackend);
});

const pgSuite = describe.skipIf(!postgres.ok);

pgSuite(pgSuiteName('PairingStore on the kv store (PostgreSQL)'), () => {
  pairingBehaviour(postgresKvBackend);
});

pgSuite(pgSuiteName('PairingStore shared by two replicas (PostgreSQL)'), () => {
  const opened: StateStorage[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });

  /** Replicas A and B on one fresh database, each with its own storage (its own connections). */
  async function twoReplicas(): Promise<[PairingStore, PairingStore]> {
    const { url } = await freshSchemaUrl();
    const stores: PairingStore[] = [];
    for (const id of ['replica-a', 'replica-b']) {
      const storage = await openPostgresStorage(url, { replicaId: id });
      opened.push(storage);
      expect(storage.replicas).toBeDefined();
      stores.push(new PairingStore(kvPairingDocuments(storage.kv, storage.location)));
    }
    return [stores[0]!, stores[1]!];
  }

  const codeFrom = async (s: PairingStore, user: string): Promise<string> => {
    const r = await s.generateCode('telegram', user, `name-${user}`);
    if (!r.ok) throw new Error(`no code: ${r.reason}`);
    return r.code;
  };

  it("a code issued by replica A is approved through replica B, and both know the user; A's rate limit holds on B", async () => {
    const [a, b] = await twoReplicas();
    const c = await codeFrom(a, 'u1');
    expect(await b.generateCode('telegram', 'u1')).toEqual({ ok: false, reason: 'rate_limited' });
    expect(await b.listPending(['telegram'])).toMatchObject([{ userId: 'u1' }]);
    expect(await b.approveCode('telegram', c)).toEqual({ ok: true, userId: 'u1', userName: 'name-u1' });
    expect(await a.isApproved('telegram', 'u1')).toBe(true);
    expect(await b.isApproved('telegram', 'u1')).toBe(true);
    expect(await a.approveCode('telegram', c)).toEqual({ ok: false, reason: 'invalid_code' });
    expect(await a.revoke('telegram', 'u1')).toBe(true);
    expect(await b.isApproved('telegram', 'u1')).toBe(false);
  });

  it('two replicas approving different codes at once both stick; one code approved twice at once is used once', async () => {
    const [a, b] = await twoReplicas();
    const c1 = await codeFrom(a, 'u1');
    const c2 = await codeFrom(b, 'u2');
    const c3 = await codeFrom(a, 'u3');
    const [r1, r2] = await Promise.all([a.approveCode('telegram', c1), b.approveCode('telegram', c2)]);
    expect([r1.ok, r2.ok]).toEqual([true, true]);
    for (const s of [a, b]) {
      expect(await s.isApproved('telegram', 'u1')).toBe(true);
      expect(await s.isApproved('telegram', 'u2')).toBe(true);
    }
    const twice = await Promise.all([a.approveCode('telegram', c3), b.approveCode('telegram', c3)]);
    expect(twice.filter((r) => r.ok)).toHaveLength(1);
    expect(twice.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'invalid_code' }]);
    expect((await a.listApproved('telegram')).map((u) => u.userId).sort()).toEqual(['u1', 'u2', 'u3']);
    expect(await b.listPending(['telegram'])).toEqual([]);
  });

  it('codes requested on both replicas at once respect the pending cap, and wrong codes on both add up to a lockout', async () => {
    const [a, b] = await twoReplicas();
    const users = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];
    const results = await Promise.all(users.map((u, i) => (i % 2 ? b : a).generateCode('telegram', u)));
    expect(results.filter((r) => r.ok)).toHaveLength(PAIRING.maxPendingPerPlatform);
    expect(await a.listPending(['telegram'])).toHaveLength(PAIRING.maxPendingPerPlatform);
    const wrong = Array.from({ length: PAIRING.maxFailedAttempts }, (_, i) =>
      (i % 2 ? b : a).approveCode('telegram', 'WRONGWRO'),
    );
    expect((await Promise.all(wrong)).every((r) => !r.ok && r.reason === 'invalid_code')).toBe(true);
    expect(await a.isLockedOut('telegram')).toBe(true);
    expect(await b.isLockedOut('telegram')).toBe(true);
  });
});
