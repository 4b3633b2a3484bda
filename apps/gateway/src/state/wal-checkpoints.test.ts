import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { openStateDb } from './db.js';
import { CHECKPOINT_INTERVAL_MS, WAL_CAP_PAGES } from './wal-checkpoints.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hermes-wal-'));
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

it('copies commits into state.db on the timer, not inside a commit, and they survive an abandoned process', () => {
  const path = join(dir, 'state.db');
  const db = openStateDb(path);
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CAP_PAGES);
  const before = statSync(path).size;
  const insert = db.prepare('INSERT INTO kv (k, v, updated_at) VALUES (?, ?, 0)');
  // Well past SQLite's default of 1000 pages, which would have checkpointed inside one of these commits.
  for (let i = 0; i < 1500; i++) insert.run(`key-${i}`, 'x'.repeat(3000));
  expect(statSync(path).size).toBe(before);

  // Committed but not yet checkpointed: another connection (a restarted gateway) still reads every row.
  const other = new Database(path, { readonly: true });
  expect(other.prepare('SELECT COUNT(*) AS n FROM kv').get()).toEqual({ n: 1500 });
  other.close();

  vi.advanceTimersByTime(CHECKPOINT_INTERVAL_MS);
  expect(statSync(path).size).toBeGreaterThan(before + 1500 * 3000);
  db.close();
  // The timer stops itself once the database is closed.
  expect(() => vi.advanceTimersByTime(CHECKPOINT_INTERVAL_MS)).not.toThrow();
  expect(vi.getTimerCount()).toBe(0);
});
