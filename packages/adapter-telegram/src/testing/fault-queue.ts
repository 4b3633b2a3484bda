import type { AppliedFakeFault, FakeBotApiCall, FakeFaultMatch, FakeTelegramFault } from './fake-types.js';

interface Pending {
  fault: FakeTelegramFault;
  remaining: number;
  match: FakeFaultMatch;
}

function matches(match: FakeFaultMatch, method: string): boolean {
  const m = match.method;
  if (m === undefined) return true;
  return typeof m === 'string' ? m === method : m.test(method);
}

/** Faults waiting for the next matching Bot API calls, and the record of those applied. */
export class FakeFaultQueue {
  readonly #pending: Pending[] = [];
  readonly applied: AppliedFakeFault[] = [];

  /** Applies `fault` to the next `count` calls whose method matches (every method by default). */
  next(fault: FakeTelegramFault, count = 1, match: FakeFaultMatch = {}): void {
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`faults.next: count must be a positive integer, got ${count}`);
    this.#pending.push({ fault, remaining: count, match });
  }

  clear(): void {
    this.#pending.length = 0;
  }

  get pending(): number {
    return this.#pending.reduce((sum, p) => sum + p.remaining, 0);
  }

  take(call: FakeBotApiCall): FakeTelegramFault | undefined {
    const index = this.#pending.findIndex((p) => matches(p.match, call.method));
    if (index < 0) return undefined;
    const entry = this.#pending[index]!;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.#pending.splice(index, 1);
    call.fault = entry.fault;
    this.applied.push({ fault: entry.fault, call });
    return entry.fault;
  }
}
