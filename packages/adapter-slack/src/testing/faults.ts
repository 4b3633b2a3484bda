/** What the fake does to a Web API call instead of (or on top of) answering it normally. */
export type SlackFakeFault =
  /** HTTP 429 with `Retry-After` (seconds), as Slack rate-limits. Nothing is done. */
  | { kind: 'rate-limit'; retryAfterSeconds: number }
  /** HTTP 200 `{ok: false, error}`, e.g. `msg_too_long`, `channel_not_found`, `internal_error`. Nothing is done. */
  | { kind: 'error'; error: string }
  /** Another HTTP status with an optional body. Nothing is done. */
  | { kind: 'http'; status: number; body?: unknown }
  /** The socket is destroyed before anything is done: the client sees a reset. */
  | { kind: 'drop' }
  /** The call is carried out (the message is posted), then the socket is destroyed: the ambiguous case. */
  | { kind: 'drop-after' }
  /** HTTP 200 with a body that is not JSON, after the call was carried out. */
  | { kind: 'garbage' }
  /** Waits, then answers normally. */
  | { kind: 'delay'; ms: number };

interface Pending {
  method: string;
  fault: SlackFakeFault;
  left: number;
}

export interface SlackFakeStorm {
  methods: readonly string[];
  /** Share of matching calls answered with 429, 0..1. */
  probability: number;
  retryAfterSeconds: number;
}

/** Scripted faults per Web API method (`*` matches any), plus an optional random 429 storm. */
export class SlackFakeFaults {
  readonly #pending: Pending[] = [];
  #storm: SlackFakeStorm | undefined;
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  /** The next `count` calls of `method` get `fault`. */
  next(method: string, fault: SlackFakeFault, count = 1): void {
    this.#pending.push({ method, fault, left: count });
  }

  /** Until `calm()`, each call of the given methods is rate-limited with this probability. */
  storm(storm: SlackFakeStorm): void {
    this.#storm = storm;
  }

  calm(): void {
    this.#storm = undefined;
  }

  clear(): void {
    this.#pending.length = 0;
    this.#storm = undefined;
  }

  get pending(): number {
    return this.#pending.reduce((sum, p) => sum + p.left, 0);
  }

  take(method: string): SlackFakeFault | undefined {
    const index = this.#pending.findIndex((p) => p.method === method || p.method === '*');
    if (index >= 0) {
      const entry = this.#pending[index]!;
      entry.left -= 1;
      if (entry.left <= 0) this.#pending.splice(index, 1);
      return entry.fault;
    }
    const storm = this.#storm;
    if (storm?.methods.includes(method) && this.#random() < storm.probability) {
      return { kind: 'rate-limit', retryAfterSeconds: storm.retryAfterSeconds };
    }
    return undefined;
  }
}
