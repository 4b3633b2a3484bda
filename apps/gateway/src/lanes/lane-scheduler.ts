import type { Logger } from '@hermes/adapter-core';
import { Semaphore } from './semaphore.js';

export interface LaneRunContext {
  sessionKey: string;
  /** Aborted when a new message interrupts the run, on /stop, /new, or at shutdown. */
  signal: AbortSignal;
}

export type LaneRunner<T> = (items: T[], ctx: LaneRunContext) => Promise<void>;

interface Lane<T> {
  running: boolean;
  starting: boolean;
  controller?: AbortController;
  queue: T[];
  done?: Promise<void>;
}

export type SubmitResult = 'started' | 'interrupting' | 'queued';

/**
 * One agent run per session key. A message that arrives mid-run is appended to the lane's FIFO (never a
 * single overwritten slot) and, unless queued with `/queue`, interrupts the run; when the run ends, all
 * waiting messages become the next turn together. Lanes never wait on each other except for the global cap.
 */
export class LaneScheduler<T> {
  private readonly lanes = new Map<string, Lane<T>>();
  private readonly cap: Semaphore;
  private closing = false;

  constructor(
    private readonly run: LaneRunner<T>,
    options: { maxConcurrent: number; logger: Logger; interruptSettleMs?: number },
    private readonly logger: Logger = options.logger,
  ) {
    this.cap = new Semaphore(options.maxConcurrent);
    this.settleMs = options.interruptSettleMs ?? 250;
  }

  /**
   * After an interrupt, wait this long before the next turn: people send follow-ups in bursts, and the
   * burst should become one turn, not a chain of turns each interrupting the last.
   */
  private readonly settleMs: number;

  isBusy(sessionKey: string): boolean {
    const lane = this.lanes.get(sessionKey);
    return lane !== undefined && (lane.running || lane.starting);
  }

  isStarting(sessionKey: string): boolean {
    return this.lanes.get(sessionKey)?.starting === true;
  }

  queued(sessionKey: string): number {
    return this.lanes.get(sessionKey)?.queue.length ?? 0;
  }

  get activeRuns(): number {
    return this.cap.active;
  }

  submit(sessionKey: string, item: T, options: { interrupt?: boolean } = {}): SubmitResult {
    if (this.closing) throw new Error('gateway is shutting down');
    const lane = this.lanes.get(sessionKey) ?? { running: false, starting: false, queue: [] };
    this.lanes.set(sessionKey, lane);
    lane.queue.push(item);
    if (lane.running || lane.starting) {
      if (options.interrupt === false) return 'queued';
      lane.controller?.abort(new Error('interrupted by a new message'));
      return 'interrupting';
    }
    this.pump(sessionKey, lane);
    return 'started';
  }

  /** Aborts the current run; with `discardQueued`, also drops what was waiting. Returns what was dropped. */
  interrupt(
    sessionKey: string,
    options: { discardQueued?: boolean; reason?: string } = {},
  ): { wasRunning: boolean; dropped: T[] } {
    const lane = this.lanes.get(sessionKey);
    if (!lane) return { wasRunning: false, dropped: [] };
    const dropped = options.discardQueued ? lane.queue.splice(0) : [];
    const wasRunning = lane.running || lane.starting;
    lane.controller?.abort(new Error(options.reason ?? 'stopped'));
    return { wasRunning, dropped };
  }

  /** Resolves when the lane has nothing running and nothing queued. */
  async idle(sessionKey: string): Promise<void> {
    for (;;) {
      const lane = this.lanes.get(sessionKey);
      if (!lane?.done) return;
      await lane.done;
    }
  }

  /** Stops taking work, interrupts every run, waits for them at most `timeoutMs`. Returns lanes still busy. */
  async drain(timeoutMs: number): Promise<number> {
    this.closing = true;
    const pending: Promise<void>[] = [];
    for (const lane of this.lanes.values()) {
      lane.queue.length = 0;
      lane.controller?.abort(new Error('gateway shutting down'));
      if (lane.done) pending.push(lane.done);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), timeoutMs);
    });
    await Promise.race([Promise.all(pending), timeout]);
    clearTimeout(timer);
    return [...this.lanes.values()].filter((l) => l.running || l.starting).length;
  }

  private pump(sessionKey: string, lane: Lane<T>): void {
    lane.starting = true;
    lane.done = (async () => {
      while (lane.queue.length > 0 && !this.closing) {
        const controller = new AbortController();
        lane.controller = controller;
        let release: (() => void) | undefined;
        try {
          release = await this.cap.acquire(controller.signal);
        } catch {
          // Interrupted while waiting for a slot: the queue still holds the items, loop and retry.
          if (this.closing) break;
          continue;
        }
        const items = lane.queue.splice(0);
        lane.starting = false;
        lane.running = true;
        try {
          await this.run(items, { sessionKey, signal: controller.signal });
        } catch (err) {
          this.logger.error('agent run failed', { sessionKey, error: (err as Error).message });
        } finally {
          release();
          lane.running = false;
          lane.controller = undefined;
        }
        if (lane.queue.length > 0) {
          lane.starting = true;
          if (controller.signal.aborted && this.settleMs > 0 && !this.closing)
            await new Promise((r) => setTimeout(r, this.settleMs));
        }
      }
      lane.starting = false;
      lane.done = undefined;
      if (lane.queue.length === 0) this.lanes.delete(sessionKey);
    })();
  }
}
