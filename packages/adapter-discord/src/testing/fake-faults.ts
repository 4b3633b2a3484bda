/** What the fake does to a matching REST request instead of (or before) answering it normally. */
export type FakeDiscordFault =
  /** Destroy the socket before handling: nothing happened on Discord's side. */
  | { kind: 'drop' }
  /** Handle the request (the message is created), then destroy the socket without an answer: ambiguous. */
  | { kind: 'drop-after' }
  /** Wait, then handle normally (a client timeout shorter than this sees an ambiguous failure). */
  | { kind: 'delay'; ms: number }
  /** Answer with this status and JSON body. */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** 429 the way Discord sends it: JSON retry_after plus Retry-After and X-RateLimit-* headers. */
  | { kind: 'rate-limit'; retryAfterSeconds: number; global?: boolean }
  /** 200 with a body that is not JSON. */
  | { kind: 'garbage' };

/** The method and route (path after `/api/v10`) a fault applies to; default: every REST request. */
export type FakeFaultMatch =
  | ((req: { method: string; route: string }) => boolean)
  | { method?: string; route?: string | RegExp };

export interface AppliedFakeFault {
  fault: FakeDiscordFault;
  method: string;
  route: string;
  at: number;
}

interface Pending {
  fault: FakeDiscordFault;
  remaining: number;
  match: (req: { method: string; route: string }) => boolean;
}

/** Faults queued by tests, consumed by the next matching requests in order. */
export class FakeFaults {
  readonly applied: AppliedFakeFault[] = [];
  readonly #pending: Pending[] = [];

  next(fault: FakeDiscordFault, options: { count?: number; match?: FakeFaultMatch } = {}): void {
    const count = options.count ?? 1;
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`faults.next: count must be a positive integer, got ${count}`);
    this.#pending.push({ fault, remaining: count, match: toPredicate(options.match) });
  }

  clear(): void {
    this.#pending.length = 0;
  }

  get pending(): number {
    return this.#pending.reduce((sum, p) => sum + p.remaining, 0);
  }

  take(method: string, route: string): FakeDiscordFault | undefined {
    const index = this.#pending.findIndex((p) => p.match({ method, route }));
    if (index < 0) return undefined;
    const entry = this.#pending[index]!;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.#pending.splice(index, 1);
    this.applied.push({ fault: entry.fault, method, route, at: Date.now() });
    return entry.fault;
  }
}

function toPredicate(match: FakeFaultMatch | undefined): (req: { method: string; route: string }) => boolean {
  if (match === undefined) return () => true;
  if (typeof match === 'function') return match;
  const method = match.method?.toUpperCase();
  return (req) => {
    if (method !== undefined && req.method !== method) return false;
    if (match.route === undefined) return true;
    return typeof match.route === 'string' ? req.route === match.route : match.route.test(req.route);
  };
}

/** Matches message creates in any channel: what "the next send" means. */
export const MESSAGE_CREATE_ROUTE: FakeFaultMatch = { method: 'POST', route: /^\/channels\/\d+\/messages$/ };
