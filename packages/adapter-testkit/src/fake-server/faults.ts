import type { ServerResponse } from 'node:http';
import { respondJson, respondRaw } from './respond.js';
import type { AppliedFault, Fault, FaultInjector, RecordedRequest, RequestMatcher } from './types.js';

interface PendingFault {
  fault: Fault;
  remaining: number;
  match: (req: RecordedRequest) => boolean;
}

export interface FaultEngine extends FaultInjector {
  /** Consumes one pending fault for this request, if any matches (first registered first). */
  take(req: RecordedRequest): Fault | undefined;
}

export function createFaultEngine(): FaultEngine {
  const pending: PendingFault[] = [];
  const applied: AppliedFault[] = [];
  return {
    next(fault, count = 1, match) {
      if (!Number.isInteger(count) || count < 1) {
        throw new Error(`faults.next: count must be a positive integer, got ${count}`);
      }
      pending.push({ fault, remaining: count, match: toPredicate(match) });
    },
    clear() {
      pending.length = 0;
    },
    get pending() {
      return pending.reduce((sum, p) => sum + p.remaining, 0);
    },
    applied,
    take(req) {
      const index = pending.findIndex((p) => p.match(req));
      if (index < 0) return undefined;
      const entry = pending[index]!;
      entry.remaining -= 1;
      if (entry.remaining === 0) pending.splice(index, 1);
      applied.push({ fault: entry.fault, request: req });
      return entry.fault;
    },
  };
}

function toPredicate(match: RequestMatcher | undefined): (req: RecordedRequest) => boolean {
  if (match === undefined) return () => true;
  if (typeof match === 'function') return match;
  const method = match.method?.toUpperCase();
  const path = match.path;
  return (req) => {
    if (method !== undefined && method !== '*' && req.method !== method) return false;
    if (path === undefined) return true;
    return typeof path === 'string' ? req.path === path : path.test(req.path);
  };
}

/**
 * Answers a request the way the fault says. Returns true when the response is finished (or the socket
 * is gone); false for `delay`, after which the caller routes the request normally.
 */
export async function applyFault(
  fault: Fault,
  res: ServerResponse,
  delay: (ms: number) => Promise<void>,
): Promise<boolean> {
  switch (fault.kind) {
    case 'drop':
      res.socket?.destroy();
      return true;
    case 'delay':
      await delay(fault.ms);
      return false;
    case 'status':
      respondRaw(res, fault.status, fault.body, fault.headers);
      return true;
    case 'rate-limit':
      respondJson(
        res,
        fault.body ?? { ok: false, error: 'rate_limited', retry_after: fault.retryAfterSeconds },
        429,
        { 'retry-after': String(fault.retryAfterSeconds) },
      );
      return true;
    case 'garbage':
      respondRaw(res, 200, '{"ok": tru', { 'content-type': 'application/json' });
      return true;
  }
}
