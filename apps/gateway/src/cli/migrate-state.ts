import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { STATE_SCHEMA_VERSION, stateDbErrorFrom } from '../state/db.js';
import { connectState, type Queryable, STATE_TABLES } from '../state/postgres/index.js';

export type MigrateStateErrorCode =
  /** No state.db at the path. */
  | 'source_missing'
  /** state.db exists but cannot be read (damaged, locked, not a database). */
  | 'source_unreadable'
  /** state.db's schema is not the one this release writes (older: start the gateway once; newer: upgrade). */
  | 'source_schema_mismatch'
  /** The PostgreSQL database already holds state: copying would mix two histories (and collide on ids). */
  | 'target_not_empty'
  /** Something else holds the target's tables (a running replica) past the lock timeout. */
  | 'target_busy'
  /** A table's row count differs after the copy; nothing was committed. */
  | 'count_mismatch';

export class MigrateStateError extends Error {
  override readonly name = 'MigrateStateError';
  constructor(
    readonly code: MigrateStateErrorCode,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

export interface MigrateStateOptions {
  sqlitePath: string;
  /** HERMES_DATABASE_URL. */
  databaseUrl: string;
  /** One line per table copied. */
  out: (line: string) => void;
  /** How long to wait for running replicas to let go of the target's tables (default 10 s). */
  lockTimeoutMs?: number;
  /**
   * What lives in files beside state.db and, with replicas, in the shared kv store: the DM pairing documents
   * (`platforms/pairing/*.json`) and the cron jobs (`cron/jobs.json`). Copied in the same transaction.
   */
  files?: { pairingDir?: string; cronJobsFile?: string };
}

export interface MigrateStateResult {
  /** `location` of the target (the URL without its password). */
  target: string;
  tables: Array<{ table: string; rows: number }>;
}

/** Rows per INSERT: bounds the size of one statement's JSON while keeping round trips few. */
const BATCH = 500;

function openSource(path: string): Database.Database {
  if (!existsSync(path))
    throw new MigrateStateError(
      'source_missing',
      `no state.db at ${path}: nothing to migrate (check HERMES_HOME, or pass the path of the state.db to copy)`,
    );
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== STATE_SCHEMA_VERSION)
      throw new MigrateStateError(
        'source_schema_mismatch',
        version < STATE_SCHEMA_VERSION
          ? `state.db at ${path} has schema version ${version}, older than this release's ${STATE_SCHEMA_VERSION}: start the gateway once on SQLite (it upgrades state.db), stop it, then migrate`
          : `state.db at ${path} has schema version ${version}, newer than this release's ${STATE_SCHEMA_VERSION}: migrate with the release that wrote it`,
      );
    return db;
  } catch (err) {
    db?.close();
    if (err instanceof MigrateStateError) throw err;
    const known = stateDbErrorFrom(err, path);
    throw new MigrateStateError(
      'source_unreadable',
      known?.message ?? `state.db at ${path} cannot be read: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

async function countRows(tx: Queryable, table: string): Promise<number> {
  return (await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n;
}

/**
 * `hermes migrate-state`: copies state.db into the (migrated, empty) PostgreSQL database of `databaseUrl`, ids
 * kept, in ONE PostgreSQL transaction: a failure anywhere leaves the target as it was. state.db is opened
 * read-only and read in one SQLite read transaction (one consistent snapshot); stop the gateway first, or what
 * it writes after the snapshot stays behind. The target's tables are locked against writers for the copy.
 */
export async function migrateState(options: MigrateStateOptions): Promise<MigrateStateResult> {
  const source = openSource(options.sqlitePath);
  try {
    const db = await connectState(options.databaseUrl, { maxConnections: 1 });
    try {
      const lockTimeoutMs = Math.max(1, Math.trunc(options.lockTimeoutMs ?? 10_000));
      const tables = await db.inTransaction(async (tx) => {
        const names = STATE_TABLES.map((t) => t.name);
        // Replicas keep reading but cannot write until the copy commits (or rolls back). Bounded: a replica
        // busy writing must not make the command hang.
        await tx.query(`SET LOCAL lock_timeout = ${lockTimeoutMs}`);
        try {
          await tx.query(`LOCK TABLE ${names.join(', ')} IN SHARE ROW EXCLUSIVE MODE`);
        } catch (err) {
          if ((err as { code?: unknown }).code !== '55P03') throw err;
          throw new MigrateStateError(
            'target_busy',
            `the state tables of ${db.target.where} stayed locked for ${lockTimeoutMs} ms: a gateway replica is probably using HERMES_DATABASE_URL; stop it and run migrate-state again`,
            { cause: err },
          );
        }
        const held: string[] = [];
        for (const name of names) {
          const n = await countRows(tx, name);
          if (n > 0) held.push(`${n} ${name}`);
        }
        if (held.length > 0)
          throw new MigrateStateError(
            'target_not_empty',
            `the PostgreSQL database ${db.target.where} already holds state (${held.join(', ')}): migrate-state only copies into an empty database; point HERMES_DATABASE_URL at a new database (or schema) and run it again`,
          );
        source.exec('BEGIN');
        try {
          const sequences = new Map(
            (
              source.prepare('SELECT name, seq FROM sqlite_sequence').all() as Array<{
                name: string;
                seq: number;
              }>
            ).map((r) => [r.name, r.seq] as const),
          );
          const copied: Array<{ table: string; rows: number }> = [];
          for (const { name, identity } of STATE_TABLES) {
            const rows = await copyTable(source, tx, name);
            if (identity !== undefined) {
              // Past every id state.db ever gave out (AUTOINCREMENT never reuses one, even once deleted).
              const floor = sequences.get(name) ?? 0;
              await tx.query(
                `SELECT setval(pg_get_serial_sequence('${name}', '${identity}'), GREATEST(coalesce((SELECT max(${identity}) FROM ${name}), 0), $1::bigint, 1), GREATEST(coalesce((SELECT max(${identity}) FROM ${name}), 0), $1::bigint) > 0)`,
                [floor],
              );
            }
            const inTarget = await countRows(tx, name);
            if (inTarget !== rows)
              throw new MigrateStateError(
                'count_mismatch',
                `${name}: state.db has ${rows} rows but PostgreSQL ${inTarget} after the copy; nothing was committed`,
              );
            copied.push({ table: name, rows });
          }
          if (options.files) copied.push(...(await copyFiles(tx, options.files)));
          return copied;
        } finally {
          source.exec('COMMIT');
        }
      });
      for (const { table, rows } of tables) options.out(`${table}: ${rows} row(s) copied`);
      return { target: db.target.location, tables };
    } finally {
      await db.close(5_000);
    }
  } finally {
    source.close();
  }
}

/**
 * The pairing documents and cron jobs, under the kv keys the replicas read them from (`pairing:<file name>`,
 * `cron:jobs`; see kvPairingDocuments and CronJobsStore). A file that is not a JSON object is refused by name:
 * better to stop than to drop approvals silently.
 */
async function copyFiles(
  tx: Queryable,
  files: NonNullable<MigrateStateOptions['files']>,
): Promise<Array<{ table: string; rows: number }>> {
  const documents: Array<[key: string, path: string]> = [];
  if (files.pairingDir && existsSync(files.pairingDir))
    for (const name of readdirSync(files.pairingDir)
      .filter((n) => n.endsWith('.json'))
      .sort())
      documents.push([`pairing:${name}`, join(files.pairingDir, name)]);
  if (files.cronJobsFile && existsSync(files.cronJobsFile)) documents.push(['cron:jobs', files.cronJobsFile]);
  for (const [key, path] of documents) {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new MigrateStateError(
        'source_unreadable',
        `${path} is not readable JSON (${(err as Error).message}): fix or remove it, then run migrate-state again`,
        { cause: err },
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new MigrateStateError(
        'source_unreadable',
        `${path} does not hold a JSON object: fix or remove it, then run migrate-state again`,
      );
    await tx.query('INSERT INTO kv (k, v, updated_at) VALUES ($1, $2, $3)', [
      key,
      JSON.stringify(value),
      Date.now(),
    ]);
  }
  const pairing = documents.filter(([key]) => key.startsWith('pairing:')).length;
  return [
    { table: 'pairing documents (files → kv)', rows: pairing },
    { table: 'cron jobs document (file → kv)', rows: documents.length - pairing },
  ];
}

/** Copies one table in batches; returns how many rows state.db has. */
async function copyTable(source: Database.Database, tx: Queryable, table: string): Promise<number> {
  const columns = (source.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
  const list = columns.join(', ');
  // jsonb_populate_recordset converts each JSON value to its column's type, so one statement fits every table.
  const insert = `INSERT INTO ${table} (${list}) SELECT ${list} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`;
  let total = 0;
  let batch: unknown[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await tx.query(insert, [JSON.stringify(batch)]);
    total += batch.length;
    batch = [];
  };
  for (const row of source.prepare(`SELECT ${list} FROM ${table} ORDER BY rowid`).iterate()) {
    batch.push(row);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  return total;
}
