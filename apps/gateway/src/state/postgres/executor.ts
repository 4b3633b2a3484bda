import { assertLeaseHeld, isStatePostgresError, type Lease } from '@hermes/state-postgres';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { ConnectionTarget } from './connection-target.js';
import { StatePostgresStorageError, storageErrorFrom } from './errors.js';
import { leaseLost, PgFences, sessionLeaseLost, type WriteFence } from './fences.js';

/**
 * A statement pg prepares once per connection (its `name`) and then runs with only the values: the parse and
 * plan are not paid again on every message.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

/** What a store runs its SQL on: the pool (one autocommit statement) or one transaction's client. */
export interface Queryable {
  query<R extends QueryResultRow>(
    statement: Statement | string,
    values?: readonly unknown[],
  ): Promise<{ rows: R[]; rowCount: number }>;
}

async function run<R extends QueryResultRow>(
  on: Pool | PoolClient,
  statement: Statement | string,
  values: readonly unknown[] | undefined,
): Promise<{ rows: R[]; rowCount: number }> {
  const config =
    typeof statement === 'string'
      ? { text: statement, values: values as unknown[] | undefined }
      : { name: statement.name, text: statement.text, values: values as unknown[] | undefined };
  const result = await on.query<R>(config);
  return { rows: result.rows, rowCount: result.rowCount ?? 0 };
}

/**
 * The one door every store goes through: counts what is in flight (so `close()` can wait for it: pg's pool
 * would leave a query queued behind `end()` waiting for ever), refuses work after close, and turns connection
 * failures into StatePostgresStorageError.
 */
export class PgExecutor implements Queryable {
  #closed = false;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #clients = new Set<{ end(): Promise<void> }>();
  /** Connection leases guarding the writes of the platforms this replica holds (or held). */
  readonly fences = new PgFences();

  constructor(
    readonly pool: Pool,
    readonly target: ConnectionTarget,
  ) {}

  query<R extends QueryResultRow>(
    statement: Statement | string,
    values?: readonly unknown[],
  ): Promise<{ rows: R[]; rowCount: number }> {
    return this.#track(() => run<R>(this.pool, statement, values));
  }

  /** Called by the opener with the pool's connect/remove events, so `close()` can cut stuck connections. */
  trackClient(client: { end(): Promise<void> }, connected: boolean): void {
    if (connected) this.#clients.add(client);
    else this.#clients.delete(client);
  }

  /**
   * `fn` as a write for `platform`: on the pool when the platform is not fenced, else in a transaction that
   * first asserts the connection lease's token (held until COMMIT, so a takeover waits for it), and refused
   * once the lease is lost.
   */
  // `platform` undefined: a write only a running session fences (no connection lease applies).
  fenced<T>(platform: string | undefined, fn: (on: Queryable) => Promise<T>): Promise<T> {
    const fence = this.fences.fenceFor(platform, this.target.where);
    if (fence === undefined) return fn(this);
    return this.inTransaction(fn, fence);
  }

  /**
   * Runs `fn` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. With a
   * fence, the lease's token is asserted right after BEGIN (see `fenced`).
   */
  inTransaction<T>(fn: (tx: Queryable) => Promise<T>, fence?: WriteFence): Promise<T> {
    return this.#track(async () => {
      const client = await this.pool.connect();
      let broken = false;
      // The server may end the session under us (admin, restart): without a listener that crashes the process.
      const onError = (): void => {
        broken = true;
      };
      client.on('error', onError);
      try {
        await client.query(fence ? fencedBegin(fence.lease) : 'BEGIN');
        if (fence) await assertFence(client, fence, this.target.where);
        const result = await fn({ query: (statement, values) => run(client, statement, values) });
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
        // A connection whose transaction state is unknown is closed rather than handed to the next caller.
        client.release(broken);
      }
    });
  }

  /**
   * Waits up to `timeoutMs` for what is in flight, then ends the pool (connections still busy after the wait
   * are cut: the server rolls back their open transactions).
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const deadline = Date.now() + timeoutMs;
    await within(Promise.allSettled([...this.#inFlight]), timeoutMs);
    const ended = this.pool.end().catch(() => {});
    if (!(await within(ended, Math.max(0, deadline - Date.now())))) {
      // pool.end() waits for checked-out clients: end their connections so it can finish.
      for (const client of this.#clients) client.end().catch(() => {});
      await within(ended, 1_000);
    }
  }

  async #track<T>(work: () => Promise<T>): Promise<T> {
    if (this.#closed)
      throw new StatePostgresStorageError(
        'state_db_closed',
        this.target.where,
        `the state database ${this.target.where} was already closed: this write came after the gateway stopped and was not kept`,
      );
    const promise = work();
    this.#inFlight.add(promise);
    try {
      return await promise;
    } catch (error) {
      throw storageErrorFrom(error, this.target) ?? error;
    } finally {
      this.#inFlight.delete(promise);
    }
  }
}

/**
 * A fenced transaction holds off a takeover while it is open, so one left open by a paused or stuck replica
 * (SIGSTOP mid-write) must not hold it off for ever: the server cuts it, and rolls it back, after half the
 * lease time. One round trip (simple protocol); the bound is an integer, safe to inline.
 */
function fencedBegin(lease: Lease): string {
  const hold = Math.max(500, Math.trunc(lease.ttlMs / 2));
  return `BEGIN; SET LOCAL statement_timeout = ${hold}; SET LOCAL idle_in_transaction_session_timeout = ${hold}`;
}

async function assertFence(client: PoolClient, fence: NonNullable<WriteFence>, where: string): Promise<void> {
  try {
    await assertLeaseHeld(client, fence.lease);
  } catch (error) {
    if (isStatePostgresError(error) && error.code === 'lease_lost') throw lostError(fence, where);
    throw error;
  }
}

function lostError(fence: NonNullable<WriteFence>, where: string): StatePostgresStorageError {
  const session = fence.lease.name.startsWith('session:') ? fence.lease.name.slice(8) : undefined;
  return session === undefined
    ? leaseLost(fence.lease.name.replace(/^connection:/, ''), where)
    : sessionLeaseLost(session, where);
}

/** True when `promise` settled within `ms`; never rejects. */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true as const,
        () => true as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
