import type { TurnUsage } from '@hermes/adapter-core';
import type { ApiErrorSpec } from './openai-error.js';
import type { ReplyWriter } from './reply-writer.js';

/** One request waiting for the host's answer. There is at most one per session (chat id). */
export interface ApiRun {
  readonly id: string;
  readonly chatId: string;
  readonly stream: boolean;
  readonly controller: AbortController;
  readonly writer: ReplyWriter;
  usage?: TurnUsage;
}

/** `failed`: the host ended the request with an error (`failRequest`). */
export type EndReason =
  | 'completed'
  | 'failed'
  | 'timeout'
  | 'client_disconnected'
  | 'shutdown'
  | 'host_error';

export type ReserveResult = { ok: true; reservation: Reservation } | { ok: false; reason: 'busy' | 'full' };

export interface Reservation {
  /** Turns the reserved slot into a running request. */
  start(run: Omit<ApiRun, 'chatId'>): ApiRun;
  /** Gives the slot back (the request failed before it reached the host). */
  release(): void;
}

type Slot = { state: 'reserved' } | { state: 'running'; run: ApiRun; timer: NodeJS.Timeout };

export interface RunRegistryOptions {
  maxConcurrent: number;
  runTimeoutMs: number;
  onEnd?(run: ApiRun, reason: EndReason): void;
}

/**
 * Counts requests in flight (the `max_concurrent_runs` cap), keeps one per session, and ends each run
 * exactly once: by the host's reply, the timeout, the client going away, or shutdown.
 */
export class RunRegistry {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly options: RunRegistryOptions) {}

  get inFlight(): number {
    return this.slots.size;
  }

  /**
   * Synchronous, so two requests racing for the last slot cannot both get it. Called only once the body
   * has been read and validated: a slow upload must not hold a slot it may never use.
   */
  reserve(chatId: string): ReserveResult {
    if (this.slots.has(chatId)) return { ok: false, reason: 'busy' };
    if (this.slots.size >= this.options.maxConcurrent) return { ok: false, reason: 'full' };
    const slot: Slot = { state: 'reserved' };
    this.slots.set(chatId, slot);
    const release = () => {
      if (this.slots.get(chatId) === slot) this.slots.delete(chatId);
    };
    return {
      ok: true,
      reservation: {
        release,
        start: (partial) => {
          const run: ApiRun = { ...partial, chatId };
          const timer = setTimeout(() => this.end(run, 'timeout'), this.options.runTimeoutMs);
          timer.unref();
          this.slots.set(chatId, { state: 'running', run, timer });
          return run;
        },
      },
    };
  }

  get(chatId: string): ApiRun | undefined {
    const slot = this.slots.get(chatId);
    return slot?.state === 'running' ? slot.run : undefined;
  }

  /** Ends a run once; later calls for the same run do nothing. Returns false if it had already ended. */
  end(run: ApiRun, reason: EndReason, error?: ApiErrorSpec): boolean {
    const slot = this.slots.get(run.chatId);
    if (slot?.state !== 'running' || slot.run !== run) return false;
    clearTimeout(slot.timer);
    this.slots.delete(run.chatId);
    if (reason === 'timeout') {
      run.writer.fail(
        error ?? {
          status: 504,
          type: 'timeout_error',
          code: 'run_timeout',
          message: `The agent did not answer within ${Math.round(this.options.runTimeoutMs / 1000)} s.`,
        },
      );
    } else if (error) {
      run.writer.fail(error);
    }
    // The host ended these runs itself; the others it must be told to stop.
    if (reason !== 'completed' && reason !== 'failed') run.controller.abort(reason);
    run.writer.dispose();
    this.options.onEnd?.(run, reason);
    return true;
  }

  /** Ends every running request (shutdown) and drops reservations. */
  endAll(reason: EndReason, error: ApiErrorSpec): void {
    for (const [chatId, slot] of [...this.slots]) {
      if (slot.state === 'running') this.end(slot.run, reason, error);
      else this.slots.delete(chatId);
    }
  }
}
