import {
  chmodSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkStateDb, openStateDb, StateDbError } from './db.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hermes-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

function openError(path: string): StateDbError {
  try {
    openStateDb(path).close();
  } catch (err) {
    if (err instanceof StateDbError) return err;
    throw err;
  }
  throw new Error('expected a StateDbError');
}

describe('openStateDb', () => {
  it('keeps state.db and its WAL files owner-only, and tightens a file that was not', () => {
    const path = join(dir, 'state.db');
    const db = openStateDb(path);
    db.prepare('INSERT INTO kv (k, v, updated_at) VALUES (?, ?, ?)').run('a', '1', 1);
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}-wal`)).toBe(0o600);
    expect(mode(`${path}-shm`)).toBe(0o600);
    db.close();
    chmodSync(path, 0o644);
    openStateDb(path).close();
    expect(mode(path)).toBe(0o600);
  });

  it('names the file, the code and the fix when state.db is not a database', () => {
    const path = join(dir, 'state.db');
    writeFileSync(path, 'this is not a database, it is a note that someone saved over it\n'.repeat(20));
    const error = openError(path);
    expect(error.code).toBe('state_db_damaged');
    expect(error.reason).toBe('SQLITE_NOTADB');
    expect(error.message).toBe(
      `state.db at ${path} is not a SQLite database or is damaged (SQLITE_NOTADB): move it aside (mv ${path} ${path}.broken) and start again; sessions in it will be lost`,
    );
  });

  it('says what to do when state.db is a directory', () => {
    const path = join(dir, 'state.db');
    mkdirSync(path);
    const error = openError(path);
    expect(error.code).toBe('state_db_unwritable');
    expect(error.message).toContain(`state.db at ${path} cannot be opened for reading and writing (EISDIR)`);
  });
});

describe('checkStateDb (hermes doctor)', () => {
  it('creates nothing when there is no state.db yet', () => {
    const path = join(dir, 'state.db');
    expect(checkStateDb(path)).toEqual({ ok: true, detail: expect.stringContaining('not created yet') });
    expect(() => statSync(path)).toThrow();
  });

  it('passes a healthy database, including one a gateway has open', () => {
    const path = join(dir, 'state.db');
    const db = openStateDb(path);
    expect(checkStateDb(path)).toEqual({
      ok: true,
      detail: expect.stringMatching(/^ok \(schema version \d+\)$/),
    });
    db.close();
  });

  it('finds a file that is not a database', () => {
    const path = join(dir, 'state.db');
    writeFileSync(path, 'garbage'.repeat(200));
    const result = checkStateDb(path);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toContain('(SQLITE_NOTADB): move it aside');
  });

  it('finds damage inside a file whose header is intact', () => {
    const path = join(dir, 'state.db');
    const db = openStateDb(path);
    const insert = db.prepare(
      'INSERT INTO messages (session_id, role, content, created_at) VALUES (?, ?, ?, ?)',
    );
    db.pragma('foreign_keys = OFF');
    for (let i = 0; i < 200; i++) insert.run('s', 'user', `message ${i} `.repeat(20), i);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const pageSize = 4096;
    const size = statSync(path).size;
    expect(size).toBeGreaterThan(pageSize * 4);
    // Scribble over every page but the first (the header and schema stay readable).
    const fd = openSync(path, 'r+');
    for (let offset = pageSize; offset < size; offset += pageSize)
      writeSync(fd, Buffer.alloc(64, 0xab), 0, 64, offset);
    closeSync(fd);
    const result = checkStateDb(path);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/is not a SQLite database or is damaged \(.+\)/);
  });
});
