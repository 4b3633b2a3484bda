import { randomBytes } from 'node:crypto';

export const DEFAULT_APPROVAL_TTL_MS = 300_000;

export interface ApprovalRequest {
  id: string;
  sessionKey: string;
  command: string;
  reason: string;
  /** Names the dangerous pattern; `/approve session|always` allows this key from then on. */
  patternKey: string;
  createdAt: number;
  expiresAt: number;
}

export type ApprovalScope = 'once' | 'session' | 'always';

export type ApprovalDecision =
  | { approved: true; scope: ApprovalScope }
  | { approved: false; reason: 'denied' | 'expired' | 'aborted' };

export type ApprovalTicket =
  | { status: 'preapproved'; scope: 'session' | 'always' }
  | { status: 'pending'; request: ApprovalRequest; decision: Promise<ApprovalDecision> };

export interface ApprovalRequestInput {
  sessionKey: string;
  command: string;
  reason: string;
  patternKey: string;
  /** Withdraws the request (decision `aborted`) when the turn is interrupted. */
  signal?: AbortSignal;
}

export interface ResolveOptions {
  /** With target `latest`: the newest pending request of this session (otherwise of any session). */
  sessionKey?: string;
  /** What an approval covers: this command only (default), this pattern for the session, or always. */
  scope?: ApprovalScope;
}

/**
 * Where dangerous commands wait for `/approve` or `/deny`. The agent calls `request`; the host calls
 * `resolve` from its command handlers and `pending` for `/status`.
 */
export interface ApprovalGate {
  request(input: ApprovalRequestInput): ApprovalTicket;
  /** `target` is a request id or `'latest'`. Returns the request it settled, or undefined if none matched. */
  resolve(target: string, approved: boolean, options?: ResolveOptions): ApprovalRequest | undefined;
  pending(sessionKey?: string): ApprovalRequest[];
}

export interface ApprovalGateOptions {
  /** How long a request waits before it counts as denied. Default 300 s. */
  ttlMs?: number;
  /** Pattern keys approved for good, e.g. loaded from the host's persisted allowlist. */
  alwaysAllowed?: Iterable<string>;
  /** Called when `/approve always` adds a pattern, so the host can persist it. */
  onAlwaysAllowed?(patternKey: string): void;
  now?: () => number;
}

interface Waiter {
  request: ApprovalRequest;
  settle(decision: ApprovalDecision): void;
}

export interface InMemoryApprovalGate extends ApprovalGate {
  /** Patterns approved for a session with `/approve session`; cleared by `/new` via `forgetSession`. */
  sessionAllowed(sessionKey: string): string[];
  forgetSession(sessionKey: string): void;
  readonly alwaysAllowed: ReadonlySet<string>;
  /** Adds patterns approved for good earlier (the host loads them from its store after the gate exists). */
  restoreAlwaysAllowed(patternKeys: Iterable<string>): void;
}

export function createApprovalGate(options: ApprovalGateOptions = {}): InMemoryApprovalGate {
  const ttlMs = options.ttlMs ?? DEFAULT_APPROVAL_TTL_MS;
  const now = options.now ?? Date.now;
  const always = new Set(options.alwaysAllowed ?? []);
  const perSession = new Map<string, Set<string>>();
  // Insertion order doubles as age order, which `latest` relies on.
  const waiting = new Map<string, Waiter>();

  function request(input: ApprovalRequestInput): ApprovalTicket {
    if (always.has(input.patternKey)) return { status: 'preapproved', scope: 'always' };
    if (perSession.get(input.sessionKey)?.has(input.patternKey))
      return { status: 'preapproved', scope: 'session' };
    const createdAt = now();
    const request: ApprovalRequest = {
      id: `appr_${randomBytes(6).toString('hex')}`,
      sessionKey: input.sessionKey,
      command: input.command,
      reason: input.reason,
      patternKey: input.patternKey,
      createdAt,
      expiresAt: createdAt + ttlMs,
    };
    const decision = new Promise<ApprovalDecision>((resolve) => {
      const timer = setTimeout(() => finish({ approved: false, reason: 'expired' }), ttlMs);
      timer.unref();
      const onAbort = () => finish({ approved: false, reason: 'aborted' });
      function finish(d: ApprovalDecision): void {
        if (!waiting.has(request.id)) return;
        waiting.delete(request.id);
        clearTimeout(timer);
        input.signal?.removeEventListener('abort', onAbort);
        resolve(d);
      }
      waiting.set(request.id, { request, settle: finish });
      if (input.signal?.aborted) finish({ approved: false, reason: 'aborted' });
      else input.signal?.addEventListener('abort', onAbort, { once: true });
    });
    return { status: 'pending', request, decision };
  }

  function pick(target: string, sessionKey: string | undefined): Waiter | undefined {
    if (target !== 'latest') {
      const w = waiting.get(target);
      return w && (sessionKey === undefined || w.request.sessionKey === sessionKey) ? w : undefined;
    }
    let found: Waiter | undefined;
    for (const w of waiting.values()) {
      if (sessionKey === undefined || w.request.sessionKey === sessionKey) found = w;
    }
    return found;
  }

  function resolve(target: string, approved: boolean, o: ResolveOptions = {}): ApprovalRequest | undefined {
    const waiter = pick(target, o.sessionKey);
    if (!waiter) return undefined;
    const { request } = waiter;
    if (!approved) {
      waiter.settle({ approved: false, reason: 'denied' });
      return request;
    }
    const scope = o.scope ?? 'once';
    if (scope === 'session') {
      const set = perSession.get(request.sessionKey) ?? new Set<string>();
      set.add(request.patternKey);
      perSession.set(request.sessionKey, set);
    } else if (scope === 'always' && !always.has(request.patternKey)) {
      always.add(request.patternKey);
      options.onAlwaysAllowed?.(request.patternKey);
    }
    waiter.settle({ approved: true, scope });
    return request;
  }

  return {
    request,
    resolve,
    pending: (sessionKey) =>
      [...waiting.values()]
        .map((w) => w.request)
        .filter((r) => sessionKey === undefined || r.sessionKey === sessionKey),
    sessionAllowed: (sessionKey) => [...(perSession.get(sessionKey) ?? [])],
    forgetSession: (sessionKey) => {
      perSession.delete(sessionKey);
    },
    alwaysAllowed: always,
    restoreAlwaysAllowed: (keys) => {
      for (const key of keys) always.add(key);
    },
  };
}
