import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AdapterStatus } from '../contract.js';
import { AdapterError } from '../errors.js';
import { createMemoryLogger } from '../logger.js';
import { WECOM_RECONNECT_BACKOFF } from './backoff.js';
import type {
  ConnectionDrop,
  ConnectionSupervisorOptions,
  SupervisedConnection,
} from './supervised-connection.js';
import { ConnectionSupervisor } from './supervisor.js';

/** An in-memory connection: `drop()` plays the server hanging up, `close()` is what the supervisor calls. */
class FakeConnection implements SupervisedConnection {
  readonly closed: Promise<ConnectionDrop>;
  readonly closeReasons: string[] = [];
  open = true;
  #end!: (drop: ConnectionDrop) => void;
  #fail!: (error: unknown) => void;

  constructor(private readonly onEnd: () => void) {
    this.closed = new Promise<ConnectionDrop>((resolve, reject) => {
      this.#end = resolve;
      this.#fail = reject;
    });
  }

  close(reason: string): void {
    this.closeReasons.push(reason);
    this.drop(reason);
  }

  drop(reason: string, error?: unknown): void {
    if (!this.open) return;
    this.open = false;
    this.onEnd();
    this.#end(error === undefined ? { reason } : { reason, error });
  }

  fail(error: unknown): void {
    if (!this.open) return;
    this.open = false;
    this.onEnd();
    this.#fail(error);
  }
}

type Step = 'ok' | Error | ((signal: AbortSignal) => Promise<SupervisedConnection>);

function harness(overrides: Partial<ConnectionSupervisorOptions> = {}, plan: Step[] = []) {
  const logger = createMemoryLogger();
  const statuses: AdapterStatus[] = [];
  const conns: FakeConnection[] = [];
  const connectAt: number[] = [];
  const attempts: number[] = [];
  const signals: AbortSignal[] = [];
  const counters = { open: 0, maxOpen: 0 };
  const makeConnection = () => {
    const conn = new FakeConnection(() => {
      counters.open -= 1;
    });
    counters.open += 1;
    counters.maxOpen = Math.max(counters.maxOpen, counters.open);
    conns.push(conn);
    return conn;
  };
  const supervisor = new ConnectionSupervisor({
    name: 'fake',
    logger,
    backoff: WECOM_RECONNECT_BACKOFF,
    random: () => 0.5, // the middle of the jitter range: delays equal the schedule exactly
    onStatus: (status) => statuses.push(status),
    connect: async (signal, attempt) => {
      connectAt.push(Date.now());
      attempts.push(attempt);
      signals.push(signal);
      const step = plan.shift() ?? 'ok';
      if (step instanceof Error) throw step;
      if (typeof step === 'function') return step(signal);
      return makeConnection();
    },
    ...overrides,
  });
  const last = () => conns[conns.length - 1] as FakeConnection;
  return {
    supervisor,
    logger,
    statuses,
    conns,
    connectAt,
    attempts,
    signals,
    counters,
    last,
    makeConnection,
  };
}

const settle = () => vi.advanceTimersByTimeAsync(0);
const netError = (msg = 'ECONNREFUSED') => new AdapterError('network', msg);

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('ConnectionSupervisor: connect and reconnect', () => {
  it('resolves start() once online and reports connecting → online', async () => {
    const h = harness();
    await h.supervisor.start();
    expect(h.supervisor.status).toBe('online');
    expect(h.statuses).toEqual(['connecting', 'online']);
    expect(h.attempts).toEqual([1]);
    expect(h.logger.find('info', 'connecting (attempt 1)')).toHaveLength(1);
    await h.supervisor.stop();
  });

  it('reconnects after the server drops the connection, after the first backoff step', async () => {
    const h = harness();
    await h.supervisor.start();
    const t0 = Date.now();
    h.last().drop('server went away');
    await settle();
    expect(h.supervisor.status).toBe('reconnecting');
    expect(h.conns).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(1999);
    expect(h.connectAt).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.connectAt).toEqual([t0, t0 + 2000]);
    expect(h.supervisor.status).toBe('online');
    expect(h.statuses).toEqual(['connecting', 'online', 'reconnecting', 'online']);
    expect(h.counters.maxOpen).toBe(1);
    await h.supervisor.stop();
  });

  it('follows the schedule 2, 5, 10, 30, 60, 60 s while connects keep failing, logging each attempt', async () => {
    const h = harness({}, [netError(), netError(), netError(), netError(), netError(), netError()]);
    const started = h.supervisor.start();
    await vi.advanceTimersByTimeAsync(2000 + 5000 + 10_000 + 30_000 + 60_000 + 60_000);
    await started;
    const gaps = h.connectAt.slice(1).map((t, i) => t - (h.connectAt[i] as number));
    expect(gaps).toEqual([2000, 5000, 10_000, 30_000, 60_000, 60_000]);
    expect(h.attempts).toEqual([1, 2, 3, 4, 5, 6, 7]);

    const lines = h.logger.find('warn', 'reconnect attempt');
    expect(lines.map((l) => [l.fields['attempt'], l.fields['delayMs']])).toEqual([
      [2, 2000],
      [3, 5000],
      [4, 10_000],
      [5, 30_000],
      [6, 60_000],
      [7, 60_000],
    ]);
    for (const line of lines) expect(String(line.fields['reason'])).toContain('connect failed: ECONNREFUSED');
    await h.supervisor.stop();
  });

  it('applies jitter within ±20 % of the schedule', async () => {
    const low = harness({ random: () => 0 }, [netError()]);
    const lowStart = low.supervisor.start();
    await vi.advanceTimersByTimeAsync(1600);
    await lowStart;
    expect((low.connectAt[1] as number) - (low.connectAt[0] as number)).toBe(1600);
    await low.supervisor.stop();

    const high = harness({ random: () => 0.999999 }, [netError()]);
    const highStart = high.supervisor.start();
    await vi.advanceTimersByTimeAsync(2399);
    expect(high.connectAt).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await highStart;
    expect((high.connectAt[1] as number) - (high.connectAt[0] as number)).toBe(2400);
    await high.supervisor.stop();
  });

  it('resets the backoff after a connection was online', async () => {
    const h = harness({}, [netError(), netError(), 'ok', netError()]);
    const started = h.supervisor.start();
    await vi.advanceTimersByTimeAsync(2000 + 5000);
    await started;
    expect(h.supervisor.status).toBe('online');

    h.last().drop('bye');
    await settle();
    // After the drop the walk restarts at 2 s (not 10 s), then continues 5 s for the failed connect.
    await vi.advanceTimersByTimeAsync(2000 + 5000);
    const gaps = h.connectAt.slice(1).map((t, i) => t - (h.connectAt[i] as number));
    expect(gaps).toEqual([2000, 5000, 2000, 5000]);
    expect(h.attempts).toEqual([1, 2, 3, 1, 2]);
    expect(h.supervisor.status).toBe('online');
    await h.supervisor.stop();
  });

  it('logs the reason of the previous drop in the next attempt line', async () => {
    const h = harness();
    await h.supervisor.start();
    h.last().drop('socket hang up');
    await vi.advanceTimersByTimeAsync(2000);
    const line = h.logger.find('warn', 'reconnect attempt 1 in 2000 ms')[0];
    expect(line?.fields).toMatchObject({ attempt: 1, delayMs: 2000, reason: 'socket hang up' });
    await h.supervisor.stop();
  });

  it('treats a rejected closed promise as a drop and reconnects', async () => {
    const h = harness();
    await h.supervisor.start();
    h.last().fail(new Error('read ECONNRESET'));
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.conns).toHaveLength(2);
    expect(h.logger.find('warn', 'transport error: read ECONNRESET').length).toBeGreaterThan(0);
    await h.supervisor.stop();
  });
});

describe('ConnectionSupervisor: heartbeat and watchdog', () => {
  it('keeps a connection whose heartbeats are acked', async () => {
    const send = vi.fn(async () => {});
    const h = harness({ heartbeat: { intervalMs: 30_000, timeoutMs: 10_000, send } });
    await h.supervisor.start();
    await vi.advanceTimersByTimeAsync(30_000 * 5);
    expect(send).toHaveBeenCalledTimes(5);
    expect(h.conns).toHaveLength(1);
    expect(h.supervisor.status).toBe('online');
    await h.supervisor.stop();
  });

  it('closes the connection and reconnects when a heartbeat is not acked in time', async () => {
    let ack = true;
    const send = vi.fn(() => (ack ? Promise.resolve() : new Promise<void>(() => {})));
    const h = harness({ heartbeat: { intervalMs: 30_000, timeoutMs: 10_000, send } });
    await h.supervisor.start();
    await vi.advanceTimersByTimeAsync(30_000);
    ack = false;
    await vi.advanceTimersByTimeAsync(30_000 + 9_999);
    expect(h.conns[0]?.open).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.conns[0]?.open).toBe(false);
    expect(h.conns[0]?.closeReasons).toEqual(['heartbeat ack timeout']);
    expect(h.supervisor.status).toBe('reconnecting');

    ack = true;
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.conns).toHaveLength(2);
    expect(h.supervisor.status).toBe('online');
    expect(h.logger.find('warn', 'reconnect attempt 1 in 2000 ms after: heartbeat ack timeout')).toHaveLength(
      1,
    );
    await h.supervisor.stop();
  });

  it('reconnects when the heartbeat send rejects', async () => {
    const send = vi.fn(async () => {
      throw new AdapterError('not_connected', 'aibot websocket not subscribed');
    });
    const h = harness({ heartbeat: { intervalMs: 1000, timeoutMs: 500, send } });
    await h.supervisor.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.conns[0]?.closeReasons[0]).toMatch(/^heartbeat failed: aibot websocket not subscribed/);
    await h.supervisor.stop();
  });

  it('forces a reconnect when no activity is seen for staleAfterMs', async () => {
    const h = harness({ staleAfterMs: 10_000 });
    await h.supervisor.start();
    // Regular inbound frames keep it alive well past the window.
    for (let i = 0; i < 6; i++) {
      await vi.advanceTimersByTimeAsync(5000);
      h.supervisor.markActivity();
    }
    expect(h.conns[0]?.open).toBe(true);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(h.conns[0]?.open).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.conns[0]?.open).toBe(false);
    expect(h.conns[0]?.closeReasons[0]).toBe('stale: no activity for 10000 ms');
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.conns).toHaveLength(2);
    await h.supervisor.stop();
  });
});

describe('ConnectionSupervisor: fatal errors', () => {
  it('rejects start() with a fatal connect error, reports failed and never retries', async () => {
    const fatal = new AdapterError('auth_failed', 'invalid secret (errcode=40013)', {
      fix: 'check WECOM_SECRET',
    });
    const h = harness({}, [fatal]);
    await expect(h.supervisor.start()).rejects.toBe(fatal);
    expect(h.supervisor.status).toBe('failed');
    expect(h.statuses).toEqual(['connecting', 'failed']);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(h.connectAt).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(h.logger.find('error', 'fatal')[0]?.fields['fix']).toBe('check WECOM_SECRET');
  });

  it('stops retrying when a reconnect fails fatally after having been online', async () => {
    const h = harness({}, ['ok', new AdapterError('forbidden', 'bot removed')]);
    await h.supervisor.start();
    h.last().drop('kicked');
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.supervisor.status).toBe('failed');
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(h.connectAt).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('treats a fatal error reported by closed as final', async () => {
    const h = harness();
    await h.supervisor.start();
    h.last().drop('server closed 4001', new AdapterError('auth_failed', 'token revoked'));
    await settle();
    expect(h.supervisor.status).toBe('failed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.connectAt).toHaveLength(1);
  });

  it('uses a custom isFatal', async () => {
    const h = harness({ isFatal: (e) => e instanceof Error && e.message === 'no such bot' }, [
      new Error('no such bot'),
    ]);
    await expect(h.supervisor.start()).rejects.toThrow('no such bot');
    expect(h.supervisor.status).toBe('failed');
  });
});

describe('ConnectionSupervisor: stop and concurrency', () => {
  it('stop() closes the live connection, reports offline, leaves no timer and is idempotent', async () => {
    const h = harness({
      heartbeat: { intervalMs: 1000, timeoutMs: 500, send: async () => {} },
      staleAfterMs: 5000,
    });
    await h.supervisor.start();
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await h.supervisor.stop();
    expect(h.conns[0]?.closeReasons).toEqual(['stopped']);
    expect(h.supervisor.status).toBe('offline');
    expect(vi.getTimerCount()).toBe(0);
    expect(h.supervisor.pendingTimers).toBe(0);
    await h.supervisor.stop();
    expect(h.statuses.filter((s) => s === 'offline')).toHaveLength(1);
  });

  it('stop() during a backoff wait cancels it and connects no more', async () => {
    const h = harness({}, [netError()]);
    const started = h.supervisor.start();
    await settle();
    expect(vi.getTimerCount()).toBe(1);
    await h.supervisor.stop();
    await expect(started).rejects.toMatchObject({ code: 'aborted' });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(h.connectAt).toHaveLength(1);
  });

  it('stop() aborts a connect in flight and closes a connection that arrives late', async () => {
    let deliver!: () => void;
    let lateConn: FakeConnection | undefined;
    const h = harness({}, [
      () =>
        new Promise<SupervisedConnection>((resolve) => {
          // This connect ignores its signal, like a careless SDK would.
          deliver = () => {
            lateConn = h.makeConnection();
            resolve(lateConn);
          };
        }),
    ]);
    const started = h.supervisor.start();
    await settle();
    const stopping = h.supervisor.stop();
    expect(h.signals[0]?.aborted).toBe(true);
    await stopping;
    await expect(started).rejects.toMatchObject({ code: 'aborted' });
    deliver();
    await settle();
    expect(lateConn?.open).toBe(false);
    expect(h.counters.open).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives up on a connect that exceeds connectTimeoutMs and retries', async () => {
    const h = harness({ connectTimeoutMs: 20_000 }, [() => new Promise<SupervisedConnection>(() => {})]);
    const started = h.supervisor.start();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(h.signals[0]?.aborted).toBe(true);
    expect(h.logger.find('warn', 'connect timed out after 20000 ms').length).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(2000);
    await started;
    expect(h.attempts).toEqual([1, 2]);
    await h.supervisor.stop();
  });

  it('ignores reconnectNow while a connect is in flight (one connection only)', async () => {
    let finish!: () => void;
    const h = harness({}, [
      () =>
        new Promise<SupervisedConnection>((resolve) => {
          finish = () => resolve(h.makeConnection());
        }),
    ]);
    const started = h.supervisor.start();
    await settle();
    h.supervisor.reconnectNow('first');
    h.supervisor.reconnectNow('second');
    finish();
    await started;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.connectAt).toHaveLength(1);
    expect(h.counters.maxOpen).toBe(1);
    await h.supervisor.stop();
  });

  it('reconnectNow while online closes first, then connects at once; repeated calls coalesce', async () => {
    const h = harness();
    await h.supervisor.start();
    h.supervisor.reconnectNow('846609 not subscribed');
    h.supervisor.reconnectNow('again');
    await settle();
    expect(h.conns[0]?.closeReasons).toEqual(['reconnect requested: 846609 not subscribed']);
    expect(h.conns).toHaveLength(2);
    expect(h.connectAt[1]).toBe(h.connectAt[0]);
    expect(h.counters.maxOpen).toBe(1);
    await h.supervisor.stop();
  });

  it('reconnectNow during a backoff wait skips the rest of the wait', async () => {
    const h = harness({}, [netError(), netError()]);
    const started = h.supervisor.start();
    await vi.advanceTimersByTimeAsync(2000);
    await vi.advanceTimersByTimeAsync(1000); // 1 s into the 5 s step
    h.supervisor.reconnectNow('network is back');
    await started;
    expect((h.connectAt[2] as number) - (h.connectAt[1] as number)).toBe(1000);
    await h.supervisor.stop();
  });

  it('stops when the external signal aborts', async () => {
    const controller = new AbortController();
    const h = harness({ signal: controller.signal });
    await h.supervisor.start();
    controller.abort();
    await settle();
    expect(h.supervisor.status).toBe('offline');
    expect(h.counters.open).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('can be started again after stop()', async () => {
    const h = harness();
    await h.supervisor.start();
    await h.supervisor.stop();
    await h.supervisor.start();
    expect(h.supervisor.status).toBe('online');
    expect(h.counters.open).toBe(1);
    await h.supervisor.stop();
    expect(h.counters.open).toBe(0);
  });

  it('never holds two connections under a random storm of drops, reconnects and heartbeat failures', async () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let ackOk = true;
    const h = harness({
      random: rand,
      backoff: { kind: 'exponential', initialMs: 50, maxMs: 400, jitter: 0.5 },
      heartbeat: {
        intervalMs: 100,
        timeoutMs: 50,
        send: () => (ackOk ? Promise.resolve() : new Promise(() => {})),
      },
    });
    await h.supervisor.start();
    for (let i = 0; i < 300; i++) {
      const r = rand();
      if (r < 0.2) h.last().drop('random drop');
      else if (r < 0.35) h.supervisor.reconnectNow('random request');
      else if (r < 0.45) ackOk = !ackOk;
      await vi.advanceTimersByTimeAsync(Math.floor(rand() * 120));
      expect(h.counters.open).toBeLessThanOrEqual(1);
    }
    expect(h.counters.maxOpen).toBe(1);
    expect(h.conns.length).toBeGreaterThan(20);
    await h.supervisor.stop();
    expect(h.counters.open).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
