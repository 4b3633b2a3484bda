import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { checkpointOnTimer } from './wal-checkpoints.js';

export type Db = Database.Database;

/**
 * Each migration runs once, in order, inside a transaction; `user_version` records how far we got.
 * Never edit a released migration: add a new one.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    session_key TEXT NOT NULL,
    platform TEXT NOT NULL,
    chat_type TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    user_id TEXT,
    title TEXT,
    model TEXT,
    origin TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    ended_at INTEGER,
    end_reason TEXT,
    was_auto_reset INTEGER NOT NULL DEFAULT 0,
    auto_reset_reason TEXT,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    total_tokens INTEGER NOT NULL DEFAULT 0,
    last_prompt_tokens INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX sessions_by_key ON sessions(session_key, ended_at);
  CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    role TEXT NOT NULL,
    content TEXT,
    extra TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX messages_by_session ON messages(session_id, id);
  CREATE TABLE inbound (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL UNIQUE,
    platform TEXT NOT NULL,
    session_key TEXT,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    done_at INTEGER
  );
  CREATE INDEX inbound_open ON inbound(state);
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL,
    chat TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    turn_ref TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    message_ids TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX outbox_open ON outbox(state);
  CREATE TABLE kv (
    k TEXT PRIMARY KEY,
    v TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // Crash recovery: how often a message was started (poison messages stop after a bound), and where its
  // turn began in the transcript (a replay first removes what the interrupted turn wrote).
  `
  ALTER TABLE inbound ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE inbound ADD COLUMN turn_session_id TEXT;
  ALTER TABLE inbound ADD COLUMN turn_message_id INTEGER;
  `,
  // One row per agent turn, for /insights: when, where, which model and tools, tokens, outcome, duration.
  `
  CREATE TABLE turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    model TEXT,
    started_at INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    tools TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    interrupted INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX turns_by_time ON turns(started_at);
  `,
  // Responses a request/reply platform keeps for `GET /v1/responses/{id}` and `previous_response_id`, so
  // they survive a restart. `seq` orders them for the count bound; `scope` is a key fingerprint, never a key.
  `
  CREATE TABLE responses (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    platform TEXT NOT NULL,
    id TEXT NOT NULL,
    scope TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (platform, id)
  );
  CREATE INDEX responses_by_age ON responses(platform, created_at);
  CREATE INDEX responses_by_seq ON responses(platform, seq);
  `,
];

/** The `user_version` a fully migrated state.db carries. */
export const STATE_SCHEMA_VERSION = MIGRATIONS.length;

export type StateDbErrorCode =
  | 'state_db_damaged'
  | 'state_db_locked'
  | 'state_db_unwritable'
  | 'state_db_full';

/** state.db cannot be used; the message names the file, SQLite's (or the OS's) code and what to do. */
export class StateDbError extends Error {
  override readonly name = 'StateDbError';
  constructor(
    readonly code: StateDbErrorCode,
    readonly path: string,
    /** `SQLITE_NOTADB`, `EACCES`, … */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function damaged(path: string, reason: string): StateDbError {
  return new StateDbError(
    'state_db_damaged',
    path,
    reason,
    `state.db at ${path} is not a SQLite database or is damaged (${reason}): move it aside (mv ${path} ${path}.broken) and start again; sessions in it will be lost`,
  );
}

/** Maps what SQLite or the file system threw to a StateDbError, or undefined for anything unexpected. */
export function stateDbErrorFrom(err: unknown, path: string): StateDbError | undefined {
  if (err instanceof StateDbError) return err;
  const reason = (err as { code?: unknown } | undefined)?.code;
  if (typeof reason !== 'string') return undefined;
  if (reason === 'SQLITE_NOTADB' || reason.startsWith('SQLITE_CORRUPT')) return damaged(path, reason);
  if (reason.startsWith('SQLITE_BUSY') || reason.startsWith('SQLITE_LOCKED'))
    return new StateDbError(
      'state_db_locked',
      path,
      reason,
      `state.db at ${path} is locked by another process (${reason}): stop whatever else uses this HERMES_HOME and start again`,
    );
  if (reason === 'SQLITE_FULL' || reason === 'ENOSPC')
    return new StateDbError(
      'state_db_full',
      path,
      reason,
      `state.db at ${path} cannot grow: the disk is full (${reason}); free some space and start again`,
    );
  if (
    reason.startsWith('SQLITE_CANTOPEN') ||
    reason.startsWith('SQLITE_READONLY') ||
    reason.startsWith('SQLITE_PERM') ||
    reason.startsWith('SQLITE_IOERR') ||
    ['EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EROFS'].includes(reason)
  )
    return new StateDbError(
      'state_db_unwritable',
      path,
      reason,
      `state.db at ${path} cannot be opened for reading and writing (${reason}): it must be a file (not a directory) that the gateway's user owns, on a writable disk`,
    );
  return undefined;
}

function migrate(db: Db): Db {
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode (only an OS crash can lose the last commits).
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let i = version; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
  return db;
}

/**
 * Opens (creating when missing) and migrates state.db. A file that is not a database, is damaged, locked or
 * not writable throws a StateDbError that says what to do, never a bare SqliteError.
 */
export function openStateDb(path: string): Db {
  if (path === ':memory:') return migrate(new Database(path));
  let db: Db | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Transcripts and pairing-adjacent state are the owner's only: the file is created 0600 before SQLite
    // opens it (so it is never readable by others, not even for a moment), and tightened if it was not.
    // SQLite gives the -wal and -shm files the database file's permissions.
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
    db = new Database(path);
    migrate(db);
    checkpointOnTimer(db, path);
    return db;
  } catch (err) {
    db?.close();
    throw stateDbErrorFrom(err, path) ?? err;
  }
}

export type StateDbCheck = { ok: true; detail: string } | { ok: false; error: Error };

/**
 * For `hermes doctor`: opens an existing state.db read-only (safe while a gateway runs) and runs SQLite's
 * quick_check, which reads every page, so damage deep inside the file is found too. Creates nothing.
 */
export function checkStateDb(path: string): StateDbCheck {
  if (!existsSync(path))
    return { ok: true, detail: 'not created yet (the gateway creates it on first start)' };
  let db: Db | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const results = (db.pragma('quick_check') as Array<{ quick_check: string }>).map((r) => r.quick_check);
    const problem = results.find((r) => r !== 'ok');
    if (problem !== undefined) return { ok: false, error: damaged(path, `quick_check: ${problem}`) };
    const version = db.pragma('user_version', { simple: true }) as number;
    return { ok: true, detail: `ok (schema version ${version})` };
  } catch (err) {
    return { ok: false, error: stateDbErrorFrom(err, path) ?? (err as Error) };
  } finally {
    db?.close();
  }
}

export type Sql = (text: string) => Database.Statement;

/**
 * Prepared statements, compiled once per database: preparing on every call costs more than the insert
 * itself and leaves thousands of statement objects for the GC (measured in `pnpm bench`).
 */
export function statementCache(db: Db): Sql {
  const cache = new Map<string, Database.Statement>();
  return (text) => {
    let stmt = cache.get(text);
    if (!stmt) {
      stmt = db.prepare(text);
      cache.set(text, stmt);
    }
    return stmt;
  };
}

export type Atomically = <T>(work: () => T) => T;

/**
 * Runs `work` in a transaction (a SAVEPOINT when one is open already) through one transaction function per
 * store, made on first use: `db.transaction()` builds four wrapper functions each time it is called, which
 * per append cost more than the BEGIN it saves writing by hand.
 */
export function atomically(db: Db): Atomically {
  let tx: ((work: () => unknown) => unknown) | undefined;
  return <T>(work: () => T): T => {
    tx ??= db.transaction((w: () => unknown) => w());
    return tx(work) as T;
  };
}
