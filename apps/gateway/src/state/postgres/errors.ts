import { isStatePostgresError } from '@hermes/state-postgres';
import type { ConnectionTarget } from './connection-target.js';

export type StatePostgresStorageErrorCode =
  /** HERMES_DATABASE_URL is not a postgres:// URL. */
  | 'state_db_url_invalid'
  /** Nothing answers at host:port, or the connection dropped. */
  | 'state_db_unreachable'
  | 'state_db_auth_failed'
  /** The server runs, the database named in the URL does not exist. */
  | 'state_db_missing'
  /** A newer release migrated this database: this code must not write to it. */
  | 'state_db_too_new'
  /** The schema could not be brought up to date (a failed or renamed migration, a lock wait timed out). */
  | 'state_db_migration_failed'
  /** Used after `close()`. */
  | 'state_db_closed'
  /**
   * A write for a platform whose connection lease this replica held and lost (paused, partitioned, shut
   * down): the database refused it, since another replica may own the connection now.
   */
  | 'state_lease_lost'
  /** A reply row another replica marked sending first (a takeover recovering it): that replica sends it. */
  | 'state_reply_taken';

/** The PostgreSQL state cannot be used; the message names host:port/database (never the password) and the fix. */
export class StatePostgresStorageError extends Error {
  override readonly name = 'StatePostgresStorageError';
  constructor(
    readonly code: StatePostgresStorageErrorCode,
    /** `host:port/database`. */
    readonly where: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** Socket-level failures: the server is down, unreachable or went away. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

function field(err: unknown, name: 'code' | 'message'): string | undefined {
  const value = (err as Record<string, unknown> | null | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** True for failures that mean "no usable connection", whatever the query was. */
function isConnectionFailure(err: unknown): boolean {
  const code = field(err, 'code');
  const message = field(err, 'message') ?? '';
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  // SQLSTATE class 08 (connection exception) and 57P01-57P03 (the server shut down or is starting up).
  if (code !== undefined && (/^08/.test(code) || /^57P0[123]$/.test(code))) return true;
  return /Connection terminated|timeout expired|Connection ended unexpectedly/i.test(message);
}

/**
 * Maps what pg or the migrator threw to a StatePostgresStorageError, or undefined for anything else (a
 * constraint violation, a bug): those keep pg's own error, which names the constraint.
 */
export function storageErrorFrom(
  err: unknown,
  target: ConnectionTarget,
): StatePostgresStorageError | undefined {
  if (err instanceof StatePostgresStorageError) return err;
  const { where } = target;
  const code = field(err, 'code');
  const reason = code ?? field(err, 'message') ?? String(err);
  if (isStatePostgresError(err, 'database_newer'))
    return new StatePostgresStorageError(
      'state_db_too_new',
      where,
      `the state database ${where} was migrated by a newer Hermes release (${err.message}): run that release or newer against it; never point an older gateway at a shared database`,
      { cause: err },
    );
  if (isStatePostgresError(err))
    return new StatePostgresStorageError(
      'state_db_migration_failed',
      where,
      `the state database ${where} could not be brought up to date: ${err.message}${err.fix ? ` (${err.fix})` : ''}`,
      { cause: err },
    );
  if (code === '28P01' || code === '28000')
    return new StatePostgresStorageError(
      'state_db_auth_failed',
      where,
      `PostgreSQL at ${where} refused user "${target.user}" (${code}): check the user and password in HERMES_DATABASE_URL, and that pg_hba.conf lets this host in`,
      { cause: err },
    );
  if (code === '3D000')
    return new StatePostgresStorageError(
      'state_db_missing',
      where,
      `PostgreSQL at ${target.host}:${target.port} has no database "${target.database}" (3D000): create it (createdb -h ${target.host} -p ${target.port} ${target.database}) or fix the database name in HERMES_DATABASE_URL`,
      { cause: err },
    );
  if (isConnectionFailure(err))
    return new StatePostgresStorageError(
      'state_db_unreachable',
      where,
      `PostgreSQL at ${where} is unreachable (${reason}): start it or fix the host and port in HERMES_DATABASE_URL; the gateway keeps nothing until it answers`,
      { cause: err },
    );
  return undefined;
}
