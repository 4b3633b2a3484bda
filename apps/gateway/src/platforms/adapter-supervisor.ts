import {
  type AdapterContext,
  AdapterError,
  type AdapterStatus,
  type InboundAction,
  type InboundMessage,
  type Logger,
  type MediaCache,
  type PlatformAdapter,
  toAdapterError,
} from '@hermes/adapter-core';

export interface AdapterSlot {
  platform: string;
  adapter: PlatformAdapter;
  status: AdapterStatus;
  detail?: string;
  attempts: number;
  /** Set when a start failed with an error no retry can fix: the platform stays down until a restart. */
  fatal?: AdapterError;
  /** True while `start()` runs: a `failed` status reported meanwhile is settled by how start ends. */
  starting?: boolean;
  /** Stopped by `/platform pause`: not restarted until resumed. */
  paused?: boolean;
  /**
   * Another replica holds this platform's connection (or nobody has taken it yet): not started, not
   * restarted, until `takeOver` — one connection per bot across all replicas.
   */
  standby?: boolean;
  /** Added in standby: a connection replicas hand over to each other (see AdapterContext.connectionHandoff). */
  handoff?: boolean;
}

/**
 * A start failure no retry can fix: the adapter itself classified it (an AdapterError, not a wrapped
 * unknown) as not retryable. A start timeout is the exception: starting again is always safe.
 */
export function isFatalStartError(err: unknown): err is AdapterError {
  return (
    err instanceof AdapterError &&
    !err.retryable &&
    err.code !== 'timeout_ambiguous' &&
    err.code !== 'aborted'
  );
}

export interface AdapterSupervisorOptions {
  logger: Logger;
  mediaCache: MediaCache;
  /** Resolves once the message is recorded; the adapter acknowledges it to the platform after that. */
  onInbound(platform: string, msg: InboundMessage): Promise<void>;
  /** A button press (platforms with `capabilities.buttons`). */
  onAction?(platform: string, action: InboundAction): void;
  onStatus(slot: AdapterSlot): void;
  /** First retry delay after a failed start; doubles up to `maxRetryMs` (spec 1.3: 30 s → 300 s). */
  firstRetryMs?: number;
  maxRetryMs?: number;
}

/**
 * Starts every adapter on its own: one that fails to start, or reports `failed` later, is restarted with
 * backoff while the others keep serving. A start that fails with a non-retryable error (bad config, refused
 * credentials, an address that is not this machine's) stops that platform instead: retrying cannot help,
 * and a retry loop would hide the problem. Nothing an adapter throws reaches the process.
 */
export class AdapterSupervisor {
  readonly slots = new Map<string, AdapterSlot>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly controller = new AbortController();

  constructor(private readonly options: AdapterSupervisorOptions) {}

  add(adapter: PlatformAdapter, o: { standby?: boolean } = {}): void {
    const slot: AdapterSlot = { platform: adapter.platform, adapter, status: 'offline', attempts: 0 };
    if (o.standby) {
      slot.standby = true;
      slot.handoff = true;
      slot.detail = 'standby: another replica holds the connection';
    }
    this.slots.set(adapter.platform, slot);
  }

  get(platform: string): PlatformAdapter | undefined {
    return this.slots.get(platform)?.adapter;
  }

  /** Starts all adapters concurrently; resolves when each has either come online or failed its first try. */
  async startAll(): Promise<void> {
    await Promise.all(
      [...this.slots.values()].filter((slot) => !slot.standby).map((slot) => this.startOne(slot)),
    );
  }

  /** Another replica holds the platform's connection (or nobody does yet): this one does not run it. */
  isStandby(platform: string): boolean {
    return this.slots.get(platform)?.standby === true;
  }

  /** This replica now holds the platform's connection: start it (a later failure retries as usual). */
  async takeOver(platform: string): Promise<void> {
    const slot = this.slots.get(platform);
    if (!slot?.standby || this.controller.signal.aborted) return;
    slot.standby = false;
    slot.attempts = 0;
    await this.startOne(slot);
  }

  /**
   * The connection's lease is gone (expired, taken over, or the database unreachable): stop sending on it
   * now, before another replica could start, and start nothing until `takeOver`.
   */
  async standBy(platform: string, detail: string): Promise<void> {
    const slot = this.slots.get(platform);
    if (!slot || slot.standby) return;
    slot.standby = true;
    const timer = this.timers.get(platform);
    if (timer) clearTimeout(timer);
    this.timers.delete(platform);
    await slot.adapter.stop().catch(() => undefined);
    this.setStatus(slot, 'offline', detail);
  }

  private setStatus(slot: AdapterSlot, status: AdapterStatus, detail?: string): void {
    slot.status = status;
    if (detail === undefined) delete slot.detail;
    else slot.detail = detail;
    this.options.onStatus(slot);
  }

  private context(slot: AdapterSlot): AdapterContext {
    const logger = this.options.logger.child({ platform: slot.platform });
    return {
      // Rejects when the message could not be recorded, so an adapter that awaits it leaves the message
      // unacknowledged and the platform delivers it again.
      receive: (msg) => {
        const recorded = this.options.onInbound(slot.platform, msg);
        // Handled here (logged) so an adapter that does not await it cannot crash the process.
        recorded.catch((err: unknown) =>
          logger.error('inbound message could not be recorded', { error: (err as Error).message }),
        );
        return recorded;
      },
      receiveAction: (action) => {
        try {
          this.options.onAction?.(slot.platform, action);
        } catch (err) {
          logger.error('button press could not be handled', { error: (err as Error).message });
        }
      },
      status: (status, detail) => {
        if (slot.fatal || slot.paused || slot.standby) return;
        this.setStatus(slot, status, detail);
        if (status === 'failed' && !slot.starting)
          this.scheduleRestart(slot, detail ?? 'adapter reported failure');
      },
      logger,
      mediaCache: this.options.mediaCache,
      signal: this.controller.signal,
      ...(slot.handoff ? { connectionHandoff: true } : {}),
    };
  }

  private async startOne(slot: AdapterSlot): Promise<void> {
    if (this.controller.signal.aborted || slot.standby) return;
    slot.attempts++;
    slot.starting = true;
    this.setStatus(slot, 'connecting');
    try {
      await slot.adapter.start(this.context(slot));
      slot.starting = false;
      slot.attempts = 0;
      this.setStatus(slot, 'online');
      this.options.logger.info('platform online', { platform: slot.platform });
    } catch (err) {
      const error = toAdapterError(err, slot.platform);
      await slot.adapter.stop().catch(() => undefined);
      slot.starting = false;
      if (isFatalStartError(err)) {
        this.stopForGood(slot, error);
        return;
      }
      this.setStatus(slot, 'failed', error.describe());
      this.options.logger.error('platform failed to start', {
        platform: slot.platform,
        code: error.code,
        error: error.describe(),
      });
      this.scheduleRestart(slot, error.describe());
    }
  }

  private stopForGood(slot: AdapterSlot, error: AdapterError): void {
    slot.fatal = error;
    this.setStatus(slot, 'failed', `${error.describe()} — not retried: fix it and restart the gateway`);
    this.options.logger.error('platform stopped: this error is not retried; fix it and restart the gateway', {
      platform: slot.platform,
      code: error.code,
      error: error.describe(),
    });
  }

  private scheduleRestart(slot: AdapterSlot, reason: string): void {
    if (
      this.controller.signal.aborted ||
      slot.fatal ||
      slot.paused ||
      slot.standby ||
      this.timers.has(slot.platform)
    )
      return;
    const first = this.options.firstRetryMs ?? 30_000;
    const delay = Math.min(first * 2 ** Math.max(0, slot.attempts - 1), this.options.maxRetryMs ?? 300_000);
    this.options.logger.warn('platform will be restarted', {
      platform: slot.platform,
      inMs: delay,
      attempt: slot.attempts + 1,
      reason,
    });
    const timer = setTimeout(() => {
      this.timers.delete(slot.platform);
      void slot.adapter
        .stop()
        .catch(() => undefined)
        .then(() => this.startOne(slot));
    }, delay);
    timer.unref();
    this.timers.set(slot.platform, timer);
  }

  /** Stops and starts one platform now (the watchdog found it stalled). Ignored while it is paused. */
  reconnect(platform: string, reason: string): void {
    const slot = this.slots.get(platform);
    if (!slot || slot.paused || slot.fatal || slot.standby || this.controller.signal.aborted) return;
    this.setStatus(slot, 'reconnecting', reason);
    void slot.adapter
      .stop()
      .catch(() => undefined)
      .then(() => this.startOne(slot));
  }

  /** `/platform pause`: stops one adapter until `resume`; nothing restarts it meanwhile. */
  async pause(platform: string): Promise<boolean> {
    const slot = this.slots.get(platform);
    if (!slot || slot.paused) return false;
    slot.paused = true;
    const timer = this.timers.get(platform);
    if (timer) clearTimeout(timer);
    this.timers.delete(platform);
    await slot.adapter.stop().catch(() => undefined);
    this.setStatus(slot, 'offline', 'paused by an admin (/platform resume to start it)');
    return true;
  }

  /** `/platform resume`: starts a paused (or stopped-for-good) adapter again. */
  async resume(platform: string): Promise<boolean> {
    const slot = this.slots.get(platform);
    if (!slot || (!slot.paused && !slot.fatal)) return false;
    slot.paused = false;
    delete slot.fatal;
    slot.attempts = 0;
    await this.startOne(slot);
    return true;
  }

  async stopAll(): Promise<void> {
    this.controller.abort();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.all(
      [...this.slots.values()].map(async (slot) => {
        try {
          await slot.adapter.stop();
        } catch (err) {
          this.options.logger.warn('adapter did not stop cleanly', {
            platform: slot.platform,
            error: (err as Error).message,
          });
        }
        this.setStatus(slot, 'offline');
      }),
    );
  }
}
