import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Pool, PoolClient } from 'pg';
import { StatePostgresError } from './errors.js';

export interface Lease {
  readonly name: string;
  /** Fencing token: larger than every token issued before it (one sequence for all leases). */
  readonly token: bigint;
  readonly ttlMs: number;
  /** Expiry in the DATABASE's clock; informative only, never compared with this machine's clock. */
  readonly expiresAt: Date;
  /**
   * `performance.now()` before which no other replica can hold this lease: the moment this replica SENT the
   * acquire/renew plus the TTL. The database started the TTL later than that, so this is conservative whatever
   * the offset between the clocks (only their rates are assumed equal over one TTL).
   */
  readonly safeUntil: number;
}

export type AcquireResult =
  | { readonly ok: true; readonly lease: Lease }
  | { readonly ok: false; readonly owner: string; readonly expiresAt: Date };

export type RenewResult =
  | { readonly ok: true; readonly lease: Lease }
  | { readonly ok: false; readonly code: 'lease_lost' };

export interface LeaseInfo {
  readonly name: string;
  readonly owner: string;
  readonly token: bigint;
  readonly expiresAt: Date;
  /** Milliseconds left in the database's clock (≤ 0 when expired). */
  readonly remainingMs: number;
}

export interface LeaseManagerOptions {
  /** Unique per process (default `<hostname>:<pid>:<random>`); two processes must never share one. */
  readonly replicaId?: string;
}

const MIN_TTL_MS = 100;
const MAX_TTL_MS = 24 * 3600_000;

function checkTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < MIN_TTL_MS || ttlMs > MAX_TTL_MS) {
    throw new StatePostgresError(
      'lease_invalid',
      `lease ttlMs must be an integer between ${MIN_TTL_MS} and ${MAX_TTL_MS}, got ${ttlMs}`,
    );
  }
}

async function inTransaction<T>(
  pool: Pool,
  fn: (client: PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  // The server may end the session under us (timeouts, admin): without a listener that would crash the process.
  const onError = (): void => {
    broken = true;
  };
  client.on('error', onError);
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/**
 * Leases that say which replica owns a named resource (a platform connection, a session). All time is the
 * database's `clock_timestamp()`: skew between replicas cannot make two owners.
 */
export class LeaseManager {
  readonly replicaId: string;
  readonly #pool: Pool;

  constructor(pool: Pool, options: LeaseManagerOptions = {}) {
    this.#pool = pool;
    this.replicaId = options.replicaId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  /** Takes the lease if nobody holds it (or its holder let it expire); otherwise says who holds it. */
  async acquire(name: string, ttlMs: number): Promise<AcquireResult> {
    checkTtl(ttlMs);
    const sentAt = performance.now();
    return inTransaction(this.#pool, async (client) => {
      // The row must exist to be locked; a fresh one starts expired so the UPDATE below takes it.
      await client.query(
        `INSERT INTO hermes_leases (name, owner, token, ttl_ms, acquired_at, renewed_at, expires_at)
         VALUES ($1, '', 0, $2, '-infinity', '-infinity', '-infinity') ON CONFLICT (name) DO NOTHING`,
        [name, ttlMs],
      );
      // FOR UPDATE waits for fenced writes (which hold FOR KEY SHARE) of the current token to commit, so
      // every write fenced by the old token is ordered before the new token exists.
      await client.query('SELECT 1 FROM hermes_leases WHERE name = $1 FOR UPDATE', [name]);
      const taken = await client.query<{ token: string; expires_at: Date }>(
        `UPDATE hermes_leases
            SET owner = $2, token = nextval('hermes_lease_tokens'), ttl_ms = $3::integer,
                acquired_at = clock_timestamp(), renewed_at = clock_timestamp(),
                expires_at = clock_timestamp() + $3::integer * interval '1 millisecond'
          WHERE name = $1 AND expires_at <= clock_timestamp()
          RETURNING token, expires_at`,
        [name, this.replicaId, ttlMs],
      );
      const row = taken.rows[0];
      if (row) {
        return {
          ok: true,
          lease: {
            name,
            token: BigInt(row.token),
            ttlMs,
            expiresAt: row.expires_at,
            safeUntil: sentAt + ttlMs,
          },
        };
      }
      const held = await client.query<{ owner: string; expires_at: Date }>(
        'SELECT owner, expires_at FROM hermes_leases WHERE name = $1',
        [name],
      );
      const current = held.rows[0];
      return { ok: false, owner: current?.owner ?? '', expiresAt: current?.expires_at ?? new Date(0) };
    });
  }

  /**
   * Extends the lease by its TTL from now (database time). Fails for good once the lease expired or changed
   * hands: a lost lease is never revived, the caller acquires again and gets a new token.
   */
  async renew(lease: Lease): Promise<RenewResult> {
    const sentAt = performance.now();
    const result = await this.#pool.query<{ expires_at: Date }>(
      `UPDATE hermes_leases
          SET renewed_at = clock_timestamp(), expires_at = clock_timestamp() + ttl_ms * interval '1 millisecond'
        WHERE name = $1 AND token = $2 AND owner = $3 AND expires_at > clock_timestamp()
        RETURNING expires_at`,
      [lease.name, lease.token.toString(), this.replicaId],
    );
    const row = result.rows[0];
    if (!row) return { ok: false, code: 'lease_lost' };
    return { ok: true, lease: { ...lease, expiresAt: row.expires_at, safeUntil: sentAt + lease.ttlMs } };
  }

  /** Gives the lease up at once so another replica can take it without waiting for the TTL. */
  async release(lease: Lease): Promise<boolean> {
    const result = await this.#pool.query(
      `UPDATE hermes_leases SET expires_at = clock_timestamp()
        WHERE name = $1 AND token = $2 AND owner = $3 AND expires_at > clock_timestamp()`,
      [lease.name, lease.token.toString(), this.replicaId],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Every lease row, for `hermes status`. */
  async list(): Promise<LeaseInfo[]> {
    const result = await this.#pool.query<{
      name: string;
      owner: string;
      token: string;
      expires_at: Date;
      remaining_ms: number;
    }>(
      `SELECT name, owner, token, expires_at,
              (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::float8 AS remaining_ms
         FROM hermes_leases WHERE owner <> '' ORDER BY name`,
    );
    return result.rows.map((r) => ({
      name: r.name,
      owner: r.owner,
      token: BigInt(r.token),
      expiresAt: r.expires_at,
      remainingMs: r.remaining_ms,
    }));
  }
}

/**
 * Inside an open transaction: fails with `lease_lost` unless `lease` is still the live holder, and keeps a
 * FOR KEY SHARE lock on the lease row until the transaction ends. That lock does not block renewals (they
 * change no key) but does block a takeover (FOR UPDATE), so the caller's writes commit before any newer token
 * exists, or not at all.
 */
export async function assertLeaseHeld(client: PoolClient, lease: Lease): Promise<void> {
  const result = await client.query(
    `SELECT 1 FROM hermes_leases
      WHERE name = $1 AND token = $2 AND expires_at > clock_timestamp()
      FOR KEY SHARE`,
    [lease.name, lease.token.toString()],
  );
  if ((result.rowCount ?? 0) === 0) {
    throw new StatePostgresError(
      'lease_lost',
      `lease "${lease.name}" with fencing token ${lease.token} is no longer held: the write was refused`,
      { fix: 'stop acting for this resource; acquire the lease again before writing' },
    );
  }
}

export interface FencedWriteOptions {
  /**
   * Longest the transaction may run or sit idle (default: the lease TTL). While it is open it holds off a
   * takeover, so a stuck write must not hold it off for ever: the server cuts it (and rolls it back) after this.
   */
  readonly maxHoldMs?: number;
}

/** Runs `fn` in a transaction that commits only if `lease` is still held (see `assertLeaseHeld`). */
export function fencedWrite<T>(
  pool: Pool,
  lease: Lease,
  fn: (client: PoolClient) => Promise<T>,
  options: FencedWriteOptions = {},
): Promise<T> {
  const hold = Math.max(1, Math.trunc(options.maxHoldMs ?? lease.ttlMs));
  // One round trip for all three (simple protocol); `hold` is an integer, safe to inline.
  const begin = `BEGIN; SET LOCAL statement_timeout = ${hold}; SET LOCAL idle_in_transaction_session_timeout = ${hold}`;
  return inTransaction(
    pool,
    async (client) => {
      await assertLeaseHeld(client, lease);
      return fn(client);
    },
    begin,
  );
}
