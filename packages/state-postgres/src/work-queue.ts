import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import pg from 'pg';
import { StatePostgresError } from './errors.js';

/** The NOTIFY channel; the payload is the queue name. */
export const WORK_CHANNEL = 'hermes_work';

export interface WorkItem<P = unknown> {
  readonly id: bigint;
  readonly queue: string;
  readonly payload: P;
  /** Claims so far, this one included; it is also the claim's fence: only this claim can complete it. */
  readonly attempts: number;
}

export interface ClaimOptions {
  readonly limit?: number;
  /** How long the claim excludes other workers; a worker that dies frees its items after this. */
  readonly claimMs: number;
}

type Queryable = Pool | PoolClient;

function checkQueue(queue: string): void {
  if (queue === '' || queue.length > 200) {
    throw new StatePostgresError('queue_invalid', `queue name must be 1–200 characters, got ${queue.length}`);
  }
}

/**
 * Journaled work any replica can run. Claims use FOR UPDATE SKIP LOCKED, so concurrent workers never wait on
 * or take each other's rows; a claim expires (database time) so a dead worker's items come back.
 */
export class WorkQueue {
  readonly workerId: string;
  readonly #pool: Pool;

  constructor(pool: Pool, options: { workerId?: string } = {}) {
    this.#pool = pool;
    this.workerId = options.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
  }

  /**
   * Adds an item; pass the caller's transaction client to journal it atomically with other writes. The
   * NOTIFY is sent by PostgreSQL only when that transaction commits.
   */
  async enqueue(
    queue: string,
    payload: unknown,
    options: { delayMs?: number; client?: PoolClient } = {},
  ): Promise<bigint> {
    checkQueue(queue);
    const db: Queryable = options.client ?? this.#pool;
    const result = await db.query<{ id: string }>(
      `WITH item AS (
         INSERT INTO hermes_work (queue, payload, available_at)
         VALUES ($1, $2::jsonb, clock_timestamp() + $3::integer * interval '1 millisecond')
         RETURNING id)
       SELECT id, pg_notify($4, $1) FROM item`,
      [queue, JSON.stringify(payload), Math.max(0, Math.trunc(options.delayMs ?? 0)), WORK_CHANNEL],
    );
    return BigInt(result.rows[0]?.id ?? '0');
  }

  async claim<P = unknown>(queue: string, options: ClaimOptions): Promise<WorkItem<P>[]> {
    checkQueue(queue);
    const result = await this.#pool.query<{ id: string; payload: P; attempts: number }>(
      `UPDATE hermes_work w
          SET claimed_by = $2, attempts = w.attempts + 1,
              claimed_until = clock_timestamp() + $3::integer * interval '1 millisecond'
         FROM (SELECT id FROM hermes_work
                WHERE queue = $1 AND done_at IS NULL AND available_at <= clock_timestamp()
                  AND (claimed_until IS NULL OR claimed_until <= clock_timestamp())
                ORDER BY id
                LIMIT $4
                FOR UPDATE SKIP LOCKED) next
        WHERE w.id = next.id
        RETURNING w.id, w.payload, w.attempts`,
      [
        queue,
        this.workerId,
        Math.max(1, Math.trunc(options.claimMs)),
        Math.max(1, Math.trunc(options.limit ?? 1)),
      ],
    );
    return result.rows
      .map((r) => ({ id: BigInt(r.id), queue, payload: r.payload, attempts: r.attempts }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /**
   * Marks the item done if this claim still holds it; false means the claim expired and another worker may
   * have it (the caller's effects must then be idempotent or fenced).
   */
  async complete(item: WorkItem, options: { client?: PoolClient } = {}): Promise<boolean> {
    const db: Queryable = options.client ?? this.#pool;
    const result = await db.query(
      `UPDATE hermes_work SET done_at = clock_timestamp(), claimed_until = NULL
        WHERE id = $1 AND claimed_by = $2 AND attempts = $3 AND done_at IS NULL
          AND claimed_until > clock_timestamp()`,
      [item.id.toString(), this.workerId, item.attempts],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Gives the item back for another try after `delayMs`. */
  async retry(item: WorkItem, delayMs = 0): Promise<boolean> {
    const result = await this.#pool.query(
      `UPDATE hermes_work
          SET claimed_by = NULL, claimed_until = NULL,
              available_at = clock_timestamp() + $4::integer * interval '1 millisecond'
        WHERE id = $1 AND claimed_by = $2 AND attempts = $3 AND done_at IS NULL`,
      [item.id.toString(), this.workerId, item.attempts, Math.max(0, Math.trunc(delayMs))],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Items not done yet, per queue (for `hermes status`). */
  async depth(queue: string): Promise<number> {
    const result = await this.#pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM hermes_work WHERE queue = $1 AND done_at IS NULL',
      [queue],
    );
    return result.rows[0]?.n ?? 0;
  }
}

export interface WorkWaiterOptions {
  /** The waiter holds one connection of its own for LISTEN (a pool would hand it back and lose the LISTEN). */
  readonly connectionString?: string;
  /** Instead of `connectionString`: the settings of the pool the caller already has (`pool.options`). */
  readonly connection?: pg.ClientConfig;
  /** Wakes only for NOTIFYs whose payload is this queue; absent: for every NOTIFY on the channel. */
  readonly queue?: string;
  /** Default `hermes_work` (WorkQueue's); another channel for other producers. */
  readonly channel?: string;
  /** Polling fallback (default 1 s): wakes even when a NOTIFY was lost with a dropped connection. */
  readonly pollMs?: number;
  /** Called on each NOTIFY for the queue and on each poll tick; the caller then claims. */
  readonly onWake: (why: 'notify' | 'poll') => void;
  readonly onError?: (error: unknown) => void;
}

export interface WorkWaiter {
  /** Resolves once LISTEN is active (or failed: polling still runs). */
  readonly ready: Promise<void>;
  /** Whether the LISTEN connection is up right now. */
  listening(): boolean;
  close(): Promise<void>;
}

/** Wake-ups for one queue: LISTEN/NOTIFY when the connection is up, polling always, reconnecting on poll ticks. */
export function startWorkWaiter(options: WorkWaiterOptions): WorkWaiter {
  const pollMs = Math.max(10, options.pollMs ?? 1_000);
  const channel = options.channel ?? WORK_CHANNEL;
  if (!/^[a-z_][a-z0-9_]*$/.test(channel))
    throw new StatePostgresError(
      'queue_invalid',
      `channel must be a lower-case SQL identifier, got "${channel}"`,
    );
  let client: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let closed = false;

  const connect = (): Promise<void> => {
    connecting ??= (async () => {
      const c = new pg.Client({
        ...options.connection,
        ...(options.connectionString === undefined ? {} : { connectionString: options.connectionString }),
        application_name: 'hermes-work-waiter',
      });
      c.on('error', (error) => {
        options.onError?.(error);
        if (client === c) client = undefined;
      });
      c.on('end', () => {
        if (client === c) client = undefined;
      });
      c.on('notification', (n) => {
        const ours = options.queue === undefined || n.payload === options.queue;
        if (n.channel === channel && ours && !closed) options.onWake('notify');
      });
      try {
        await c.connect();
        await c.query(`LISTEN ${channel}`);
        if (closed) {
          await c.end();
          return;
        }
        client = c;
      } catch (error) {
        options.onError?.(error);
        await c.end().catch(() => {});
      }
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };

  const timer = setInterval(() => {
    if (closed) return;
    if (!client) void connect();
    options.onWake('poll');
  }, pollMs);
  const ready = connect();

  return {
    ready,
    listening: () => client !== undefined,
    async close() {
      closed = true;
      clearInterval(timer);
      await connecting;
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
