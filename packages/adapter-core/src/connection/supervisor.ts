import type { AdapterStatus } from '../contract.js';
import { AdapterError, isAdapterError } from '../errors.js';
import { raceAbort } from '../race-abort.js';
import {
  type BackoffPolicy,
  backoffDelay,
  validateBackoffPolicy,
  WECOM_RECONNECT_BACKOFF,
} from './backoff.js';
import { type Deferred, deferred } from './deferred.js';
import { describeError } from './describe-error.js';
import { type Arm, type LivenessPhase, type PhaseEnd, runHeartbeat, runWatchdog } from './liveness.js';
import type { ConnectionSupervisorOptions, SupervisedConnection } from './supervised-connection.js';
import { TimerBag } from './timer-bag.js';

const FATAL_CODES: ReadonlySet<string> = new Set(['auth_failed', 'config_invalid', 'forbidden']);

/** The default `isFatal`: credentials or configuration that a retry cannot repair. */
export function isFatalConnectionError(error: unknown): boolean {
  return isAdapterError(error) && FATAL_CODES.has(error.code);
}

type ConnectOutcome =
  | { kind: 'online'; connection: SupervisedConnection }
  | { kind: 'failed'; error: unknown }
  | { kind: 'stopped' };

/**
 * Keeps one connection to a platform alive: connect → online → wait for the drop (transport close,
 * heartbeat without ack, stale watchdog, `reconnectNow`) → back off → connect again, until `stop()` or a
 * fatal error. A single loop owns the connection, so two connections can never exist at once.
 */
export class ConnectionSupervisor {
  readonly #o: ConnectionSupervisorOptions;
  readonly #backoff: BackoffPolicy;
  readonly #timers = new TimerBag();
  #status: AdapterStatus = 'offline';
  #attempt = 0;
  #lastActivity = 0;
  #run: Promise<void> | undefined;
  #stop: AbortController | undefined;
  #started: Deferred | undefined;
  /** Set while online: ends the current connection with a reason. */
  #interrupt: ((drop: PhaseEnd) => void) | undefined;
  /** Set while backing off: cuts the wait short. */
  #wake: (() => void) | undefined;

  constructor(options: ConnectionSupervisorOptions) {
    this.#o = options;
    this.#backoff = options.backoff ?? WECOM_RECONNECT_BACKOFF;
    validateBackoffPolicy(this.#backoff);
    const hb = options.heartbeat;
    if (hb && !(hb.intervalMs > 0 && hb.timeoutMs > 0)) {
      throw new AdapterError(
        'config_invalid',
        `${options.name}: heartbeat intervalMs and timeoutMs must be > 0`,
      );
    }
    if (options.staleAfterMs !== undefined && !(options.staleAfterMs > 0)) {
      throw new AdapterError('config_invalid', `${options.name}: staleAfterMs must be > 0`);
    }
  }

  get status(): AdapterStatus {
    return this.#status;
  }

  /** The attempt of the current outage (1-based), or the one that produced the live connection; 0 before start. */
  get attempt(): number {
    return this.#attempt;
  }

  /** Timers currently armed (heartbeat, watchdog, backoff, connect timeout). 0 once stopped. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Resolves when the first connection is online; rejects with a fatal error or when stopped before that. */
  start(): Promise<void> {
    if (this.#run && this.#stop && !this.#stop.signal.aborted && this.#started) return this.#started.promise;
    if (this.#run) return this.#run.then(() => this.start());
    const external = this.#o.signal;
    if (external?.aborted) {
      return Promise.reject(
        new AdapterError('aborted', `${this.#o.name}: not started, the signal was already aborted`),
      );
    }
    const stop = new AbortController();
    const started = deferred();
    this.#stop = stop;
    this.#started = started;
    this.#attempt = 0;
    const onExternalAbort = () => void this.stop();
    external?.addEventListener('abort', onExternalAbort, { once: true });
    this.#run = this.#loop(stop.signal)
      .catch((error: unknown) => this.#fail(error))
      .finally(() => {
        external?.removeEventListener('abort', onExternalAbort);
        this.#timers.clearAll();
        this.#interrupt = undefined;
        this.#wake = undefined;
        this.#run = undefined;
        if (this.#status !== 'failed') this.#setStatus('offline', 'stopped');
        started.reject(
          new AdapterError('aborted', `${this.#o.name}: stopped before the connection came online`),
        );
      });
    return started.promise;
  }

  /** Aborts a connect in flight, closes the live connection, clears every timer. Idempotent. */
  async stop(): Promise<void> {
    const run = this.#run;
    if (!run) return;
    if (!this.#stop?.signal.aborted) {
      this.#o.logger.info(`${this.#o.name}: stopping`);
      this.#stop?.abort(new AdapterError('aborted', `${this.#o.name}: stopped`));
    }
    await run;
  }

  /** Call on every inbound frame; feeds the stale watchdog. */
  markActivity(): void {
    this.#lastActivity = Date.now();
    this.#o.onActivity?.();
  }

  /**
   * Drops the live connection and connects again without waiting, or ends a backoff wait early. Ignored
   * while a connect is in flight (that attempt is already the reconnect) and when stopped, so repeated
   * calls coalesce into one reconnect.
   */
  reconnectNow(reason: string): void {
    if (this.#interrupt) {
      this.#interrupt({ reason: `reconnect requested: ${reason}`, immediate: true });
    } else if (this.#wake) {
      this.#o.logger.info(`${this.#o.name}: skipping the backoff wait (${reason})`);
      this.#wake();
    } else {
      this.#o.logger.debug(`${this.#o.name}: reconnect request ignored, no live connection (${reason})`);
    }
  }

  async #loop(stop: AbortSignal): Promise<void> {
    let failures = 0;
    let lastReason: string | undefined;
    while (!stop.aborted) {
      this.#attempt += 1;
      const delayMs = failures === 0 ? 0 : backoffDelay(this.#backoff, failures, this.#o.random);
      this.#announceAttempt(delayMs, lastReason);
      if (delayMs > 0) await this.#sleep(delayMs, stop);
      if (stop.aborted) return;

      const outcome = await this.#connectOnce(stop);
      if (outcome.kind === 'stopped') return;
      if (outcome.kind === 'failed') {
        if (this.#isFatal(outcome.error)) return this.#fail(outcome.error);
        failures += 1;
        lastReason = `connect failed: ${describeError(outcome.error)}`;
        this.#o.logger.warn(`${this.#o.name}: connect attempt ${this.#attempt} failed`, {
          attempt: this.#attempt,
          error: describeError(outcome.error),
        });
        continue;
      }

      const drop = await this.#supervise(outcome.connection, stop);
      if (stop.aborted) return;
      if (drop.error !== undefined && this.#isFatal(drop.error)) return this.#fail(drop.error);
      this.#o.logger.warn(`${this.#o.name}: connection dropped: ${drop.reason}`, { reason: drop.reason });
      // The counter resets after every connection that made it online; the drop itself is the first
      // failure, except for an explicit reconnect which tries once straight away.
      failures = drop.immediate ? 0 : 1;
      this.#attempt = 0;
      lastReason = drop.reason;
    }
  }

  #announceAttempt(delayMs: number, lastReason: string | undefined): void {
    const name = this.#o.name;
    const attempt = this.#attempt;
    if (lastReason === undefined) {
      this.#o.logger.info(`${name}: connecting (attempt ${attempt})`, { attempt, delayMs });
      this.#setStatus('connecting', `attempt ${attempt}`);
      return;
    }
    this.#o.logger.warn(`${name}: reconnect attempt ${attempt} in ${delayMs} ms after: ${lastReason}`, {
      attempt,
      delayMs,
      reason: lastReason,
    });
    this.#setStatus('reconnecting', `attempt ${attempt} in ${delayMs} ms after: ${lastReason}`);
  }

  #sleep(ms: number, stop: AbortSignal): Promise<void> {
    if (stop.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#timers.clear(handle);
        stop.removeEventListener('abort', done);
        this.#wake = undefined;
        resolve();
      };
      const handle = this.#timers.set(done, ms);
      stop.addEventListener('abort', done, { once: true });
      this.#wake = done;
    });
  }

  async #connectOnce(stop: AbortSignal): Promise<ConnectOutcome> {
    const name = this.#o.name;
    const attempt = this.#attempt;
    const controller = new AbortController();
    const onStop = () => controller.abort(stop.reason);
    stop.addEventListener('abort', onStop, { once: true });
    const limitMs = this.#o.connectTimeoutMs ?? 30_000;
    const timeout =
      limitMs > 0
        ? this.#timers.set(() => {
            controller.abort(new AdapterError('network', `${name}: connect timed out after ${limitMs} ms`));
          }, limitMs)
        : undefined;
    // Started inside a promise chain so that a synchronous throw becomes a failed attempt, not a crash.
    const pending = Promise.resolve().then(() => this.#o.connect(controller.signal, attempt));
    try {
      const connection = await raceAbort(pending, controller.signal);
      if (stop.aborted) {
        safeClose(connection, 'stopped');
        return { kind: 'stopped' };
      }
      return { kind: 'online', connection };
    } catch (error) {
      // A connect that ignores the signal may still deliver a connection later: it must not survive.
      pending.then(
        (late) => safeClose(late, 'abandoned: the attempt had already ended'),
        () => {},
      );
      if (stop.aborted) return { kind: 'stopped' };
      return { kind: 'failed', error: controller.signal.aborted ? controller.signal.reason : error };
    } finally {
      this.#timers.clear(timeout);
      stop.removeEventListener('abort', onStop);
    }
  }

  /** Runs the online phase of one connection and resolves with the reason it ended. */
  #supervise(connection: SupervisedConnection, stop: AbortSignal): Promise<PhaseEnd> {
    this.#lastActivity = Date.now();
    return new Promise<PhaseEnd>((resolve) => {
      let ended = false;
      const phaseTimers = new Set<ReturnType<typeof setTimeout>>();
      const end = (drop: PhaseEnd) => {
        if (ended) return;
        ended = true;
        if (this.#interrupt === end) this.#interrupt = undefined;
        stop.removeEventListener('abort', onStop);
        for (const t of phaseTimers) this.#timers.clear(t);
        safeClose(connection, drop.reason);
        resolve(drop);
      };
      const onStop = () => end({ reason: 'stopped' });
      const isEnded = () => ended;
      this.#interrupt = end;
      stop.addEventListener('abort', onStop, { once: true });
      connection.closed.then(
        (info) => end({ reason: info?.reason || 'closed by the transport', error: info?.error }),
        (error: unknown) => end({ reason: `transport error: ${describeError(error)}`, error }),
      );
      const arm: Arm = (fn, ms) => {
        const t = this.#timers.set(() => {
          phaseTimers.delete(t);
          fn();
        }, ms);
        phaseTimers.add(t);
        return () => {
          phaseTimers.delete(t);
          this.#timers.clear(t);
        };
      };
      const phase: LivenessPhase = { name: this.#o.name, logger: this.#o.logger, arm, isEnded, end };
      if (this.#o.heartbeat) {
        // An acked ping proves the socket is alive, so it also feeds the stale watchdog.
        runHeartbeat(phase, this.#o.heartbeat, () => this.markActivity());
      }
      if (this.#o.staleAfterMs !== undefined) {
        runWatchdog(phase, this.#o.staleAfterMs, () => this.#lastActivity);
      }

      this.#o.logger.info(`${this.#o.name}: online (attempt ${this.#attempt})`, { attempt: this.#attempt });
      this.#setStatus('online');
      this.#started?.resolve();
      // onStatus may have called stop() synchronously, before our listener could see the abort event.
      if (stop.aborted) end({ reason: 'stopped' });
    });
  }

  #isFatal(error: unknown): boolean {
    try {
      return (this.#o.isFatal ?? isFatalConnectionError)(error);
    } catch {
      return false;
    }
  }

  #fail(error: unknown): void {
    const detail = describeError(error);
    this.#o.logger.error(`${this.#o.name}: giving up, fatal error: ${detail}`, {
      error: detail,
      fix: isAdapterError(error) ? error.fix : undefined,
    });
    this.#setStatus('failed', detail);
    this.#started?.reject(error);
  }

  #setStatus(status: AdapterStatus, detail?: string): void {
    this.#status = status;
    try {
      this.#o.onStatus?.(status, detail);
    } catch (error) {
      this.#o.logger.error(`${this.#o.name}: onStatus handler threw`, { error: describeError(error) });
    }
  }
}

function safeClose(connection: SupervisedConnection, reason: string): void {
  try {
    connection.close(reason);
  } catch {
    // The connection is being discarded; a throwing close() must not stop the supervisor.
  }
}
