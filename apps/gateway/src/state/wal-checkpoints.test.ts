import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openStateDb } from './db.js';
import { CHECKPOINT_INTERVAL_MS, WAL_CAP_PAGES } from './wal-checkpoints.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hermes-wal-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The pragmas this thread's connection runs from now on (the worker has its own connection). */
function pragmasRunOn(db: Database.Database): string[] {
  const seen: string[] = [];
  const pragma = db.pragma.bind(db);
  db.pragma = ((source: string, options?: Database.PragmaOptions) => {
    seen.push(source);
    return pragma(source, options);
  }) as typeof db.pragma;
  return seen;
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

it('copies commits into state.db on the timer, off the event loop, and they survive an abandoned process', async () => {
  const path = join(dir, 'state.db');
  const db = openStateDb(path);
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CAP_PAGES);
  const onThisThread = pragmasRunOn(db);
  const before = statSync(path).size;
  const insert = db.prepare('INSERT INTO kv (k, v, updated_at) VALUES (?, ?, 0)');
  // Well past SQLite's default of 1000 pages, which would have checkpointed inside one of these commits.
  for (let i = 0; i < 1500; i++) insert.run(`key-${i}`, 'x'.repeat(3000));
  expect(statSync(path).size).toBe(before);

  // Committed but not yet checkpointed: another connection (a restarted gateway) still reads every row.
  const other = new Database(path, { readonly: true });
  expect(other.prepare('SELECT COUNT(*) AS n FROM kv').get()).toEqual({ n: 1500 });
  other.close();

  // The checkpoint runs on the worker: this thread only waits, and writes on meanwhile.
  const grown = until(() => statSync(path).size > before + 1500 * 3000, 5 * CHECKPOINT_INTERVAL_MS);
  insert.run('during', 'y');
  expect(await grown).toBe(true);
  expect(onThisThread.filter((p) => p.includes('checkpoint'))).toEqual([]);
  db.close();
  // The worker closes its connection after the main one is closed: nothing is left holding the file.
  const walGone = await until(() => {
    try {
      statSync(`${path}-wal`);
      return false;
    } catch {
      return true;
    }
  }, 5 * CHECKPOINT_INTERVAL_MS);
  expect(walGone).toBe(true);
  const reopened = new Database(path, { readonly: true });
  expect(reopened.prepare('SELECT COUNT(*) AS n FROM kv').get()).toEqual({ n: 1501 });
  reopened.close();
});

it('checkpoints on this thread when the worker cannot open state.db', async () => {
  const path = join(dir, 'state.db');
  const db = openStateDb(path);
  const onThisThread = pragmasRunOn(db);
  // The open connection keeps its file; the worker, opening by path, finds none.
  rmSync(path);
  const fellBack = await until(
    () => onThisThread.some((p) => p.includes('wal_checkpoint')),
    5 * CHECKPOINT_INTERVAL_MS,
  );
  db.close();
  expect(fellBack).toBe(true);
});
