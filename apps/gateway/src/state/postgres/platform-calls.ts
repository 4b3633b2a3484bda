import pg from 'pg';
import type {
  PlatformCallError,
  PlatformCallOutcome,
  PlatformCallRun,
  PlatformCallServeOptions,
  PlatformCallServer,
  PlatformCalls,
} from '../storage.js';
import { StatePostgresStorageError } from './errors.js';
import { type PgExecutor, type Statement, within } from './executor.js';

/** NOTIFY channel of new calls; the payload is the platform. */
export const PLATFORM_CALLS_CHANNEL = 'hermes_platform_calls';
/** NOTIFY channel of finished calls; the payload is the call's id. */
export const PLATFORM_CALL_DONE_CHANNEL = 'hermes_platform_call_done';

/**
 * How long a caller waits past the call's deadline: a holder may take a call right before it and needs a
 * moment to run it and write the result back.
 */
const RESULT_MARGIN_MS = 500;
/** Calls a holder takes in one claim, and keeps taken-but-waiting at most (the rest wait in the table). */
const CLAIM_BATCH = 16;
const MAX_QUEUED = 64;
const MAX_TIMEOUT_MS = 10 * 60_000;
/** How long `close()` gives the calls still waiting to withdraw themselves. */
const CLOSE_EXPIRE_MS = 2_000;

const Q = {
  // The NOTIFY goes out when this statement commits, so a woken holder always finds the row.
  insert: {
    name: 'hs_pcall_insert',
    text: `WITH c AS (
             INSERT INTO platform_calls (platform, op, args, caller, deadline)
             VALUES ($1, $2, $3::jsonb, $4, clock_timestamp() + $5::integer * interval '1 millisecond')
             RETURNING id)
           SELECT id, pg_notify('${PLATFORM_CALLS_CHANNEL}', $1::text) FROM c`,
  },
  finished: {
    name: 'hs_pcall_finished',
    text: `SELECT id, state, result FROM platform_calls
            WHERE id = ANY ($1::bigint[]) AND state IN ('done', 'failed', 'expired')`,
  },
  // Only a call nobody took is withdrawn: one already taken may be running on the platform right now.
  expire: {
    name: 'hs_pcall_expire',
    text: `UPDATE platform_calls SET state = 'expired', done_at = clock_timestamp()
            WHERE id = $1 AND state = 'pending' RETURNING id`,
  },
  get: { name: 'hs_pcall_get', text: 'SELECT id, state, result FROM platform_calls WHERE id = $1' },
  // SKIP LOCKED: two holders (a handover in progress) never wait on or take each other's rows. A row past its
  // deadline is never taken: its caller has given up or is about to.
  claim: {
    name: 'hs_pcall_claim',
    text: `WITH next AS (
             SELECT id FROM platform_calls
              WHERE state = 'pending' AND platform = ANY ($1::text[]) AND deadline > clock_timestamp()
              ORDER BY id LIMIT $3
              FOR UPDATE SKIP LOCKED)
           UPDATE platform_calls c SET state = 'taken', taken_by = $2
             FROM next WHERE c.id = next.id
           RETURNING c.id, c.platform, c.op, c.args,
                     (extract(epoch FROM c.deadline - clock_timestamp()) * 1000)::float8 AS remaining_ms`,
  },
  finish: {
    name: 'hs_pcall_finish',
    text: `WITH f AS (
             UPDATE platform_calls SET state = $2, result = $3::jsonb, done_at = clock_timestamp()
              WHERE id = $1 AND state = 'taken' AND taken_by = $4 RETURNING id)
           SELECT pg_notify('${PLATFORM_CALL_DONE_CHANNEL}', id::text) FROM f`,
  },
  // Taken but never started (the holder stopped): back to pending for whoever holds the connection next.
  giveBack: {
    name: 'hs_pcall_give_back',
    text: `WITH b AS (
             UPDATE platform_calls SET state = 'pending', taken_by = NULL
              WHERE id = ANY ($1::bigint[]) AND state = 'taken' AND taken_by = $2 RETURNING platform)
           SELECT pg_notify('${PLATFORM_CALLS_CHANNEL}', platform) FROM b`,
  },
  // A row left pending or taken by a replica that died is finished in effect once its deadline is old.
  prune: {
    name: 'hs_pcall_prune',
    text: `DELETE FROM platform_calls
            WHERE coalesce(done_at, deadline) < clock_timestamp() - $1::bigint * interval '1 millisecond'`,
  },
} satisfies Record<string, Statement>;

type CallState = 'pending' | 'taken' | 'done' | 'failed' | 'expired';

interface CallRow {
  id: number;
  state: CallState;
  result: unknown;
}

interface ClaimedRow {
  id: number;
  platform: string;
  op: string;
  args: unknown;
  remaining_ms: number;
}

export interface PgPlatformCallsOptions {
  /** How often a caller looks for its result when no NOTIFY came (default 200 ms). */
  readonly resultPollMs?: number;
  /** How often a holder looks for calls when no NOTIFY came (default 500 ms). */
  readonly servePollMs?: number;
  /** How long a holder's `close()` waits for calls still running (default 5 s). */
  readonly serveCloseTimeoutMs?: number;
  /** Background failures (the LISTEN connection dropped, a poll failed); the work carries on. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Adapter calls forwarded through PostgreSQL: a replica running a turn for a platform whose connection
 * another replica holds records the call (`call`), the holder takes it, runs it on its live adapter and writes
 * the result back (`serve`). One LISTEN connection per replica wakes both sides; polling covers a lost NOTIFY.
 */
export class PgPlatformCalls implements PlatformCalls {
  readonly #db: PgExecutor;
  readonly #replicaId: string;
  readonly #options: PgPlatformCallsOptions;
  readonly #listener: NotifyListener;
  readonly #waiters = new Map<number, (outcome: PlatformCallOutcome | undefined) => void>();
  readonly #servers = new Set<CallServer>();
  /** Calls recorded and not yet answered, so `close()` can let them withdraw first. */
  readonly #calling = new Set<Promise<PlatformCallOutcome>>();
  readonly #resultCheck: CoalescedRun;
  #resultTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    db: PgExecutor,
    connectionString: string,
    replicaId: string,
    options: PgPlatformCallsOptions = {},
  ) {
    this.#db = db;
    this.#replicaId = replicaId;
    this.#options = options;
    this.#listener = new NotifyListener({
      connectionString,
      applicationName: `hermes-platform-calls:${replicaId}`.slice(0, 63),
      onNotify: (channel, payload) => this.#onNotify(channel, payload),
      onListening: () => this.#wakeAll(),
      onError: (error) => this.#reportError(error),
    });
    this.#resultCheck = new CoalescedRun(() => this.#checkResults());
  }

  async call(platform: string, op: string, args: unknown, timeoutMs: number): Promise<PlatformCallOutcome> {
    if (this.#closed) throw this.#closedError();
    this.#listener.ensure();
    const waitMs = Math.min(MAX_TIMEOUT_MS, Math.max(1, Math.trunc(timeoutMs)));
    const waitUntil = Date.now() + waitMs + RESULT_MARGIN_MS;
    const { rows } = await this.#db.query<{ id: number }>(Q.insert, [
      platform,
      op,
      JSON.stringify(args ?? null),
      this.#replicaId,
      waitMs,
    ]);
    const id = Number(rows[0]?.id);
    if (!Number.isSafeInteger(id)) throw new Error('platform_calls insert returned no id');
    const outcome = this.#awaitResult(id, waitUntil).then((settled) => settled ?? this.#expire(id));
    this.#calling.add(outcome);
    try {
      return await outcome;
    } finally {
      this.#calling.delete(outcome);
    }
  }

  serve(options: PlatformCallServeOptions): PlatformCallServer {
    if (this.#closed) throw this.#closedError();
    const server = new CallServer({
      db: this.#db,
      replicaId: this.#replicaId,
      serve: options,
      pollMs: this.#options.servePollMs ?? 500,
      closeTimeoutMs: this.#options.serveCloseTimeoutMs ?? 5_000,
      onError: (error) => {
        if (!options.onError) return this.#reportError(error);
        try {
          options.onError(error);
        } catch {
          // A throwing logger must not stop the serving.
        }
      },
    });
    this.#servers.add(server);
    this.#listener.ensure();
    server.wake();
    return {
      close: async () => {
        this.#servers.delete(server);
        await server.close();
      },
    };
  }

  /** Deletes calls finished (or abandoned past their deadline) more than `maxAgeMs` ago; returns how many. */
  async prune(maxAgeMs: number): Promise<number> {
    const { rowCount } = await this.#db.query(Q.prune, [Math.max(0, Math.trunc(maxAgeMs))]);
    return rowCount;
  }

  /** Ends serving (bounded), the waits in progress (as timeouts) and the LISTEN connection. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const servers = [...this.#servers];
    this.#servers.clear();
    await Promise.allSettled(servers.map((s) => s.close()));
    this.#stopResultTimer();
    // Callers still waiting end now, as at their deadline: a call nobody took is withdrawn, so it cannot run
    // after this replica stopped waiting for it.
    for (const resolve of [...this.#waiters.values()]) resolve(undefined);
    await within(Promise.allSettled([...this.#calling]), CLOSE_EXPIRE_MS);
    await this.#listener.close();
  }

  #awaitResult(id: number, waitUntil: number): Promise<PlatformCallOutcome | undefined> {
    if (this.#closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), Math.max(0, waitUntil - Date.now()));
      const finish = (outcome: PlatformCallOutcome | undefined): void => {
        clearTimeout(timer);
        this.#waiters.delete(id);
        if (this.#waiters.size === 0) this.#stopResultTimer();
        resolve(outcome);
      };
      this.#waiters.set(id, finish);
      this.#resultTimer ??= setInterval(() => this.#resultCheck.run(), this.#options.resultPollMs ?? 200);
    });
  }

  async #checkResults(): Promise<void> {
    const ids = [...this.#waiters.keys()];
    if (ids.length === 0) return;
    try {
      const { rows } = await this.#db.query<CallRow>(Q.finished, [ids]);
      for (const row of rows) {
        const outcome = outcomeOf(row);
        if (outcome) this.#waiters.get(Number(row.id))?.(outcome);
      }
    } catch (error) {
      this.#reportError(error);
    }
  }

  /** At the deadline: withdraws the call if nobody took it, else says it was taken (or its late result). */
  async #expire(id: number): Promise<PlatformCallOutcome> {
    try {
      const expired = await this.#db.query(Q.expire, [id]);
      if (expired.rowCount > 0) return { state: 'timeout', taken: false };
      const { rows } = await this.#db.query<CallRow>(Q.get, [id]);
      const row = rows[0];
      return (row && outcomeOf(row)) ?? { state: 'timeout', taken: true };
    } catch (error) {
      // Whether it was taken is unknown: the safe answer is that it may have run.
      this.#reportError(error);
      return { state: 'timeout', taken: true };
    }
  }

  #onNotify(channel: string, payload: string): void {
    if (channel === PLATFORM_CALL_DONE_CHANNEL) {
      // Channels are database-wide: the id may be another schema's call, so the row is read, never trusted.
      if (this.#waiters.has(Number(payload))) this.#resultCheck.run();
      return;
    }
    if (channel === PLATFORM_CALLS_CHANNEL) for (const server of this.#servers) server.wake(payload);
  }

  /** After (re)connecting: whatever was announced while the connection was down is looked for now. */
  #wakeAll(): void {
    for (const server of this.#servers) server.wake();
    if (this.#waiters.size > 0) this.#resultCheck.run();
  }

  #closedError(): StatePostgresStorageError {
    const where = this.#db.target.where;
    return new StatePostgresStorageError(
      'state_db_closed',
      where,
      `the state database ${where} was already closed: platform calls are no longer forwarded from this replica`,
    );
  }

  #stopResultTimer(): void {
    if (this.#resultTimer !== undefined) clearInterval(this.#resultTimer);
    this.#resultTimer = undefined;
  }

  #reportError(error: unknown): void {
    try {
      this.#options.onError?.(error);
    } catch {
      // A throwing logger must not break the waits.
    }
  }
}

function outcomeOf(row: CallRow): PlatformCallOutcome | undefined {
  switch (row.state) {
    case 'done':
      return { state: 'done', result: row.result };
    case 'failed':
      return { state: 'failed', error: callErrorOf(row.result) };
    case 'expired':
      return { state: 'timeout', taken: false };
    default:
      return undefined;
  }
}

function callErrorOf(value: unknown): PlatformCallError {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const error: PlatformCallError = {
    code: typeof v['code'] === 'string' ? v['code'] : 'unknown',
    message: typeof v['message'] === 'string' ? v['message'] : 'the platform call failed',
  };
  if (typeof v['retryAfterMs'] === 'number') error.retryAfterMs = v['retryAfterMs'];
  if (typeof v['retryable'] === 'boolean') error.retryable = v['retryable'];
  if (typeof v['fix'] === 'string') error.fix = v['fix'];
  return error;
}

/** What a thrown value says as a call error: its `code` and message when it has them. */
export function platformCallErrorFrom(thrown: unknown): PlatformCallError {
  const v = (typeof thrown === 'object' && thrown !== null ? thrown : {}) as Record<string, unknown>;
  return callErrorOf({ ...v, message: thrown instanceof Error ? thrown.message : String(thrown) });
}

/** Runs `work` now, or once more right after the run in progress: never two at once, never a wake lost. */
class CoalescedRun {
  #running: Promise<void> | undefined;
  #again = false;

  constructor(private readonly work: () => Promise<void>) {}

  run(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.work().catch(() => {});
      } while (this.#again);
    })().finally(() => {
      this.#running = undefined;
    });
  }

  idle(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }
}

// ---- The holder's side --------------------------------------------------------------------------------------

interface TakenCall {
  id: number;
  platform: string;
  op: string;
  args: unknown;
  /** The deadline in this process's clock: a call still queued past it is withdrawn, never run late. */
  runBy: number;
}

interface CallServerDeps {
  db: PgExecutor;
  replicaId: string;
  serve: PlatformCallServeOptions;
  pollMs: number;
  closeTimeoutMs: number;
  onError: (error: unknown) => void;
}

/** Takes the calls of the platforms this replica holds and runs them, one lane (chat) at a time each. */
class CallServer {
  readonly #deps: CallServerDeps;
  readonly #lanes = new Map<string, TakenCall[]>();
  readonly #draining = new Set<Promise<void>>();
  readonly #claims: CoalescedRun;
  readonly #timer: NodeJS.Timeout;
  /** Calls taken and not yet finished (queued or running). */
  #queued = 0;
  /** A claim took less than it could have for want of room: claim again once a call finishes. */
  #starved = false;
  #closed = false;

  constructor(deps: CallServerDeps) {
    this.#deps = deps;
    this.#claims = new CoalescedRun(() => this.#claim());
    this.#timer = setInterval(() => this.wake(), deps.pollMs);
  }

  /** A NOTIFY for `platform` (ignored unless it is one held here) or a poll tick (no platform). */
  wake(platform?: string): void {
    if (this.#closed) return;
    if (platform !== undefined && !this.#platforms().includes(platform)) return;
    this.#claims.run();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    const deadline = Date.now() + this.#deps.closeTimeoutMs;
    const left = (): number => Math.max(0, deadline - Date.now());
    // Each step bounded: a dead database must not hold the shutdown.
    await within(this.#claims.idle(), left());
    const waiting = [...this.#lanes.values()].flat();
    this.#lanes.clear();
    await within(this.#giveBack(waiting), left());
    await within(Promise.allSettled([...this.#draining]), left());
  }

  #platforms(): readonly string[] {
    try {
      return this.#deps.serve.platforms();
    } catch (error) {
      this.#deps.onError(error);
      return [];
    }
  }

  async #claim(): Promise<void> {
    const platforms = this.#platforms();
    if (this.#closed || platforms.length === 0) return;
    const room = Math.min(CLAIM_BATCH, MAX_QUEUED - this.#queued);
    this.#starved = room < CLAIM_BATCH;
    if (room <= 0) return;
    let rows: ClaimedRow[];
    try {
      ({ rows } = await this.#deps.db.query<ClaimedRow>(Q.claim, [platforms, this.#deps.replicaId, room]));
    } catch (error) {
      this.#deps.onError(error);
      return;
    }
    const now = Date.now();
    for (const row of rows.sort((a, b) => Number(a.id) - Number(b.id))) {
      const taken: TakenCall = {
        id: Number(row.id),
        platform: row.platform,
        op: row.op,
        args: row.args,
        runBy: now + row.remaining_ms,
      };
      if (this.#closed) await this.#giveBack([taken]);
      else this.#enqueue(taken);
    }
    // A full batch means more may be waiting.
    if (rows.length === room && !this.#closed) this.#claims.run();
  }

  #enqueue(call: TakenCall): void {
    const lane = this.#laneOf(call);
    this.#queued++;
    const queue = this.#lanes.get(lane);
    if (queue) {
      queue.push(call);
      return;
    }
    this.#lanes.set(lane, [call]);
    const draining = this.#drain(lane)
      .catch((error: unknown) => this.#deps.onError(error))
      .finally(() => this.#draining.delete(draining));
    this.#draining.add(draining);
  }

  #laneOf(call: TakenCall): string {
    try {
      return this.#deps.serve.lane?.(call.platform, call.op, call.args) ?? call.platform;
    } catch {
      return call.platform;
    }
  }

  async #drain(lane: string): Promise<void> {
    for (;;) {
      const queue = this.#lanes.get(lane);
      const call = queue?.shift();
      if (!queue || !call) {
        this.#lanes.delete(lane);
        return;
      }
      await this.#runOne(call);
      this.#queued--;
      if (this.#starved) this.wake();
    }
  }

  async #runOne(call: TakenCall): Promise<void> {
    if (Date.now() >= call.runBy) {
      await this.#finish(call, 'expired', null);
      return;
    }
    let outcome: PlatformCallRun;
    try {
      outcome = await this.#deps.serve.run(call.platform, call.op, call.args);
    } catch (error) {
      outcome = { ok: false, error: platformCallErrorFrom(error) };
    }
    if (outcome.ok) await this.#finish(call, 'done', outcome.result ?? null);
    else await this.#finish(call, 'failed', outcome.error);
  }

  async #finish(call: TakenCall, state: 'done' | 'failed' | 'expired', result: unknown): Promise<void> {
    try {
      await this.#deps.db.query(Q.finish, [call.id, state, JSON.stringify(result), this.#deps.replicaId]);
    } catch (error) {
      // The row stays taken: its caller times out with `taken`, which is the truth (it ran, or may have).
      this.#deps.onError(error);
    }
  }

  async #giveBack(calls: readonly TakenCall[]): Promise<void> {
    if (calls.length === 0) return;
    try {
      await this.#deps.db.query(Q.giveBack, [calls.map((c) => c.id), this.#deps.replicaId]);
    } catch (error) {
      // Left taken: their callers time out with `taken` (ambiguous), never a duplicate.
      this.#deps.onError(error);
    }
  }
}

// ---- The LISTEN connection ----------------------------------------------------------------------------------

interface NotifyListenerOptions {
  connectionString: string;
  applicationName: string;
  onNotify: (channel: string, payload: string) => void;
  /** Called each time LISTEN is (again) active: NOTIFYs sent while it was not were lost. */
  onListening: () => void;
  onError: (error: unknown) => void;
}

const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * One connection of its own (a pooled one would be handed back and lose its LISTEN), opened on first use and
 * reopened with backoff after it drops. Nothing waits on it: callers and holders poll while it is down.
 */
class NotifyListener {
  readonly #options: NotifyListenerOptions;
  #client: pg.Client | undefined;
  #connecting: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #backoffMs = RECONNECT_MIN_MS;
  #closed = false;

  constructor(options: NotifyListenerOptions) {
    this.#options = options;
  }

  ensure(): void {
    if (this.#closed || this.#client || this.#connecting || this.#retry) return;
    this.#connecting = this.#connect().finally(() => {
      this.#connecting = undefined;
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
    await within(this.#connecting ?? Promise.resolve(), CONNECT_TIMEOUT_MS);
    const client = this.#client;
    this.#client = undefined;
    if (client) await within(client.end(), 1_000);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      application_name: this.#options.applicationName,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // A half-dead connection (a dropped NAT entry) is noticed instead of listening to nothing for ever.
      keepAlive: true,
      query_timeout: CONNECT_TIMEOUT_MS,
    });
    const lost = (error?: unknown): void => {
      if (error !== undefined) this.#options.onError(error);
      if (this.#client !== client) return;
      this.#client = undefined;
      this.#scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (n) => {
      if (!this.#closed && this.#client === client) this.#options.onNotify(n.channel, n.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${PLATFORM_CALLS_CHANNEL}; LISTEN ${PLATFORM_CALL_DONE_CHANNEL}`);
    } catch (error) {
      this.#options.onError(error);
      client.end().catch(() => {});
      this.#scheduleReconnect();
      return;
    }
    if (this.#closed) {
      await within(client.end(), 1_000);
      return;
    }
    this.#client = client;
    this.#backoffMs = RECONNECT_MIN_MS;
    this.#options.onListening();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retry) return;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(RECONNECT_MAX_MS, this.#backoffMs * 2);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.ensure();
    }, delay);
    // Reconnecting alone must not keep a finished process alive.
    this.#retry.unref();
  }
}
