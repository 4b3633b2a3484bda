import type { Logger } from '@hermes/adapter-core';
import type { BusyInputMode } from './busy-mode.js';
import { Semaphore } from './semaphore.js';

export interface LaneRunContext<T = unknown> {
  sessionKey: string;
  /** Aborted when a new message interrupts the run, on /stop, /new, or at shutdown. */
  signal: AbortSignal;
  /**
   * Takes the messages steered into this run so far (oldest first). The run owns what it takes; what it
   * never takes becomes a turn of its own after the run, so a steered message is never lost.
   */
  takeSteered(): T[];
}

export type LaneRunner<T> = (items: T[], ctx: LaneRunContext<T>) => Promise<void>;

interface Entry<T> {
  item: T;
  /** Arrival order across the queue and the steer inbox, so leftovers go back where they belong. */
  seq: number;
  /** Runs as a turn of its own instead of joining its neighbours. */
  alone: boolean;
}

interface Lane<T> {
  running: boolean;
  starting: boolean;
  controller?: AbortController;
  queue: Entry<T>[];
  /** Steered into the current run and not yet taken by it. */
  steered: Entry<T>[];
  done?: Promise<void>;
}

export type SubmitResult = 'started' | 'interrupting' | 'queued' | 'steered';

/**
 * One agent run per session key. A message that arrives mid-run is appended to the lane's FIFO (never a
 * single overwritten slot) and then, by its busy mode: `interrupt` aborts the run and every waiting message
 * becomes the next turn together; `queue` waits for the run to finish and gets a turn of its own; `steer`
 * is handed to the running turn. Lanes never wait on each other except for the global cap.
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

  /** Messages waiting for a later turn (steered ones not yet taken by the run included). */
  queued(sessionKey: string): number {
    const lane = this.lanes.get(sessionKey);
    return lane ? lane.queue.length + lane.steered.length : 0;
  }

  get activeRuns(): number {
    return this.cap.active;
  }

  /** `mode` only matters when the lane is busy; default `interrupt`. */
  submit(sessionKey: string, item: T, options: { mode?: BusyInputMode } = {}): SubmitResult {
    if (this.closing) throw new Error('gateway is shutting down');
    const lane = this.lanes.get(sessionKey) ?? { running: false, starting: false, queue: [], steered: [] };
    this.lanes.set(sessionKey, lane);
    const entry: Entry<T> = { item, seq: ++this.seq, alone: false };
    if (!(lane.running || lane.starting)) {
      lane.queue.push(entry);
      this.pump(sessionKey, lane);
      return 'started';
    }
    const mode = options.mode ?? 'interrupt';
    if (mode === 'steer' && lane.running) {
      lane.steered.push(entry);
      return 'steered';
    }
    if (mode === 'interrupt') {
      lane.queue.push(entry);
      lane.controller?.abort(new Error('interrupted by a new message'));
      return 'interrupting';
    }
    // A steer between two runs has no turn to join: it joins the next one, like an interrupt without one.
    entry.alone = mode === 'queue';
    lane.queue.push(entry);
    return 'queued';
  }

  private seq = 0;

  /** Aborts the current run; with `discardQueued`, also drops what was waiting. Returns what was dropped. */
  interrupt(
    sessionKey: string,
    options: { discardQueued?: boolean; reason?: string } = {},
  ): { wasRunning: boolean; dropped: T[] } {
    const lane = this.lanes.get(sessionKey);
    if (!lane) return { wasRunning: false, dropped: [] };
    const dropped = options.discardQueued
      ? [...lane.queue.splice(0), ...lane.steered.splice(0)].sort((a, b) => a.seq - b.seq).map((e) => e.item)
      : [];
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
      // Still open in the inbound journal: replayed on the next start.
      lane.queue.length = 0;
      lane.steered.length = 0;
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
        const items = takeNextTurn(lane.queue);
        lane.starting = false;
        lane.running = true;
        const takeSteered = () => lane.steered.splice(0).map((e) => e.item);
        try {
          await this.run(items, { sessionKey, signal: controller.signal, takeSteered });
        } catch (err) {
          this.logger.error('agent run failed', { sessionKey, error: (err as Error).message });
        } finally {
          release();
          lane.running = false;
          lane.controller = undefined;
          requeueSteered(lane);
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

/** A lone entry at the head is one turn; otherwise every mergeable entry up to the next lone one. */
function takeNextTurn<T>(queue: Entry<T>[]): T[] {
  const head = queue[0];
  if (!head) return [];
  if (head.alone) return [queue.shift()!.item];
  const end = queue.findIndex((e) => e.alone);
  return queue.splice(0, end === -1 ? queue.length : end).map((e) => e.item);
}

/** What the run never took arrived after its last tool round: each gets a turn of its own, in arrival order. */
function requeueSteered<T>(lane: Lane<T>): void {
  if (!lane.steered.length) return;
  const left = lane.steered.splice(0);
  for (const e of left) e.alone = true;
  lane.queue.push(...left);
  lane.queue.sort((a, b) => a.seq - b.seq);
}
