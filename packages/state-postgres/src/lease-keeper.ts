import { performance } from 'node:perf_hooks';
import { StatePostgresError } from './errors.js';
import type { Lease, LeaseManager } from './leases.js';

export type LeaseLostReason =
  /** The database said the lease is no longer ours (it expired there, or another replica took it). */
  | 'lease_lost'
  /** No renewal succeeded in time (database unreachable, slow, or this process was paused). */
  | 'renew_deadline';

export interface LeaseKeeperOptions {
  readonly manager: Pick<LeaseManager, 'renew' | 'release'>;
  readonly lease: Lease;
  /**
   * How long before the lease could expire (as seen by another replica) this replica stops acting
   * (default ttl/5, at least 50 ms). Covers timer lateness and the time between `held()` and the send.
   */
  readonly safetyMarginMs?: number;
  /** Called once, at most, when this replica must stop acting for the lease; never after stop(). */
  readonly onLost: (reason: LeaseLostReason) => void;
  /** Renewal failures that are not yet a loss (a transient database error). */
  readonly onRenewError?: (error: unknown) => void;
  /** Monotonic clock on the `performance.now()` scale (tests substitute it). */
  readonly now?: () => number;
}

/**
 * Heartbeats a lease every ttl/3 and declares it lost BEFORE any other replica could take it over: the local
 * deadline is (moment the last successful renew was sent) + ttl − margin, measured on the monotonic clock, so it
 * holds even when the database is unreachable. A paused process does not run timers: callers must check
 * `held()` right before every side effect, which is false as soon as the process resumes past the deadline.
 */
export class LeaseKeeper {
  readonly #manager: Pick<LeaseManager, 'renew' | 'release'>;
  readonly #margin: number;
  readonly #onLost: (reason: LeaseLostReason) => void;
  readonly #onRenewError: ((error: unknown) => void) | undefined;
  readonly #now: () => number;
  #lease: Lease;
  #state: 'idle' | 'running' | 'lost' | 'stopped' = 'idle';
  #renewTimer: NodeJS.Timeout | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #renewing = false;

  constructor(options: LeaseKeeperOptions) {
    this.#manager = options.manager;
    this.#lease = options.lease;
    this.#margin = options.safetyMarginMs ?? Math.max(50, Math.floor(options.lease.ttlMs / 5));
    if (this.#margin >= options.lease.ttlMs / 2) {
      throw new StatePostgresError(
        'lease_invalid',
        `safetyMarginMs (${this.#margin}) must be under half the lease TTL (${options.lease.ttlMs})`,
      );
    }
    this.#onLost = options.onLost;
    this.#onRenewError = options.onRenewError;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The newest lease (its token never changes; its expiry does). */
  get lease(): Lease {
    return this.#lease;
  }

  /** Local monotonic deadline (`performance.now()` scale) after which this replica must not act. */
  get deadline(): number {
    return this.#lease.safeUntil - this.#margin;
  }

  /** True while this replica may act for the lease. Check it right before each side effect. */
  held(): boolean {
    if (this.#state !== 'running' && this.#state !== 'idle') return false;
    if (this.#now() >= this.deadline) {
      this.#lose('renew_deadline');
      return false;
    }
    return true;
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#state = 'running';
    if (!this.held()) return;
    this.#armDeadline();
    const every = Math.max(10, Math.floor(this.#lease.ttlMs / 3));
    this.#renewTimer = setInterval(() => void this.#renewOnce(), every);
  }

  /** Stops heartbeating; with `release`, hands the lease back so another replica need not wait for the TTL. */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    const wasHeld = this.#state === 'running' && this.held();
    this.#state = 'stopped';
    this.#clearTimers();
    if (options.release && wasHeld) {
      try {
        await this.#manager.release(this.#lease);
      } catch (error) {
        this.#onRenewError?.(error); // the lease then simply expires after its TTL
      }
    }
  }

  async #renewOnce(): Promise<void> {
    // One renew in flight at a time: a hung database call must not pile up requests.
    if (this.#renewing || this.#state !== 'running') return;
    this.#renewing = true;
    try {
      const result = await this.#manager.renew(this.#lease);
      if (this.#state !== 'running') return;
      if (!result.ok) {
        this.#lose('lease_lost');
        return;
      }
      // A reply that arrives after the local deadline does not revive the lease: we may already have stopped.
      if (this.#now() >= this.deadline) {
        this.#lose('renew_deadline');
        return;
      }
      this.#lease = result.lease;
      this.#armDeadline();
    } catch (error) {
      if (this.#state === 'running') this.#onRenewError?.(error);
    } finally {
      this.#renewing = false;
    }
  }

  #armDeadline(): void {
    if (this.#deadlineTimer) clearTimeout(this.#deadlineTimer);
    const wait = Math.max(0, this.deadline - this.#now());
    // Timers run on the event loop's cached clock and can fire a little before performance.now() reaches
    // the deadline: re-arm then, or a keeper whose renewals all hang would never declare the loss.
    this.#deadlineTimer = setTimeout(() => {
      if (this.held()) this.#armDeadline();
    }, wait);
  }

  #lose(reason: LeaseLostReason): void {
    if (this.#state === 'lost' || this.#state === 'stopped') return;
    this.#state = 'lost';
    this.#clearTimers();
    this.#onLost(reason);
  }

  #clearTimers(): void {
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    if (this.#deadlineTimer) clearTimeout(this.#deadlineTimer);
    this.#renewTimer = undefined;
    this.#deadlineTimer = undefined;
  }
}
