import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

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
];

export function openStateDb(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  // Transcripts and pairing-adjacent state: readable by the owner only.
  if (path !== ':memory:') chmodSync(path, 0o600);
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
