import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openStateDb, STATE_SCHEMA_VERSION } from './db.js';
import { deferredResponseStore, ResponseStore } from './response-store.js';

const DAY = 86_400_000;
let dir: string;
let db: Db;
let now: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hermes-responses-'));
  db = openStateDb(join(dir, 'state.db'));
  now = 1_700_000_000_000;
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const store = (maxResponses = 3, maxAgeMs = DAY, platform = 'request_platform') =>
  new ResponseStore(db, platform, { maxResponses, maxAgeMs }, () => now);

describe('ResponseStore (state.db)', () => {
  it('survives closing and reopening the database, found only in its scope', async () => {
    await store().put('resp_1', 'key:aaa', '{"n":1}');
    db.close();
    db = openStateDb(join(dir, 'state.db'));
    expect(db.pragma('user_version', { simple: true })).toBe(STATE_SCHEMA_VERSION);
    expect(await store().get('resp_1', 'key:aaa')).toBe('{"n":1}');
    expect(await store().get('resp_1', 'key:bbb')).toBeUndefined();
    expect(await store().get('resp_2', 'key:aaa')).toBeUndefined();
    // Another platform's store does not see it either.
    expect(await store(3, DAY, 'other_platform').get('resp_1', 'key:aaa')).toBeUndefined();
  });

  it('keeps only the newest maxResponses of its platform', async () => {
    const s = store(3);
    const other = store(3, DAY, 'other_platform');
    await other.put('other_1', 'open', '{}');
    for (let i = 1; i <= 5; i++) await s.put(`resp_${i}`, 'open', `{"n":${i}}`);
    const kept = await Promise.all([1, 2, 3, 4, 5].map((i) => s.get(`resp_${i}`, 'open')));
    expect(kept).toEqual([undefined, undefined, '{"n":3}', '{"n":4}', '{"n":5}']);
    expect(await other.get('other_1', 'open')).toBe('{}');
    const rows = db.prepare("SELECT COUNT(*) AS n FROM responses WHERE platform = 'request_platform'").get();
    expect(rows).toEqual({ n: 3 });
  });

  it('never returns a response past maxAgeMs, and deletes it on the next put', async () => {
    const s = store(100, DAY);
    await s.put('resp_old', 'open', '{}');
    now += DAY - 1;
    expect(await s.get('resp_old', 'open')).toBe('{}');
    now += 2;
    expect(await s.get('resp_old', 'open')).toBeUndefined();
    await s.put('resp_new', 'open', '{}');
    expect(db.prepare('SELECT id FROM responses').all()).toEqual([{ id: 'resp_new' }]);
  });

  it('a deferred store binds to the database once it is open, and says so before', async () => {
    let open: Db | undefined;
    const deferred = deferredResponseStore(() => open, 'request_platform', {
      maxResponses: 5,
      maxAgeMs: DAY,
    });
    await expect(deferred.put('resp_1', 'open', '{}')).rejects.toThrow('state.db is not open yet');
    open = db;
    await deferred.put('resp_1', 'open', '{"ok":true}');
    expect(await deferred.get('resp_1', 'open')).toBe('{"ok":true}');
  });
});
