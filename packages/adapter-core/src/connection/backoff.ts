import { AdapterError } from '../errors.js';

/**
 * How long to wait before the next attempt. `schedule` walks a fixed list and sticks at its last value
 * (WeCom's 2, 5, 10, 30, 60 s); `exponential` multiplies up to a cap. `jitter` is a fraction (0..1) of the
 * delay added or removed at random so that many bots dropped by the same outage do not return in lockstep.
 */
export type BackoffPolicy =
  | { kind: 'schedule'; delaysMs: readonly number[]; jitter?: number }
  | { kind: 'exponential'; initialMs: number; maxMs: number; factor?: number; jitter?: number };

/** Used when an option leaves the policy out. */
export const DEFAULT_JITTER = 0.2;

/** The reconnect schedule of the WeCom original, reused as the supervisor's default. */
export const WECOM_RECONNECT_BACKOFF: BackoffPolicy = {
  kind: 'schedule',
  delaysMs: [2_000, 5_000, 10_000, 30_000, 60_000],
  jitter: DEFAULT_JITTER,
};

function baseDelay(policy: BackoffPolicy, attempt: number): number {
  if (policy.kind === 'schedule') {
    const list = policy.delaysMs;
    if (list.length === 0) return 0;
    return list[Math.min(attempt, list.length) - 1] ?? 0;
  }
  const factor = policy.factor ?? 2;
  // A large attempt number can overflow to Infinity; the cap applies either way.
  const raw = policy.initialMs * factor ** (attempt - 1);
  return Math.min(policy.maxMs, Number.isFinite(raw) ? raw : policy.maxMs);
}

/**
 * The delay before retry number `attempt` (1-based: the first retry is attempt 1). The result lies in
 * `[base * (1 - jitter), base * (1 + jitter)]`, rounded to whole milliseconds.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const step = Number.isFinite(attempt) && attempt >= 1 ? Math.floor(attempt) : 1;
  const base = Math.max(0, baseDelay(policy, step));
  const jitter = Math.min(1, Math.max(0, policy.jitter ?? DEFAULT_JITTER));
  const r = Math.min(1, Math.max(0, random()));
  return Math.max(0, Math.round(base * (1 - jitter + 2 * jitter * r)));
}

/** Rejects policies that would spin (negative or non-finite delays) with a message that names the field. */
export function validateBackoffPolicy(policy: BackoffPolicy): void {
  const bad = (what: string) =>
    new AdapterError('config_invalid', `Invalid backoff policy: ${what}`, {
      fix: 'use finite, non-negative millisecond values',
    });
  if (policy.kind === 'schedule') {
    if (!policy.delaysMs.every((d) => Number.isFinite(d) && d >= 0))
      throw bad('delaysMs has a negative or non-finite value');
  } else {
    if (!(Number.isFinite(policy.initialMs) && policy.initialMs >= 0)) throw bad('initialMs');
    if (!(Number.isFinite(policy.maxMs) && policy.maxMs >= policy.initialMs))
      throw bad('maxMs must be >= initialMs');
    if (policy.factor !== undefined && !(Number.isFinite(policy.factor) && policy.factor >= 1))
      throw bad('factor must be >= 1');
  }
  if (policy.jitter !== undefined && !(policy.jitter >= 0 && policy.jitter <= 1))
    throw bad('jitter must be within 0..1');
}
