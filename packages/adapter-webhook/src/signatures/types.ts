import type { IncomingHttpHeaders } from 'node:http';

export interface VerifyInput {
  headers: IncomingHttpHeaders;
  /** The body exactly as received: signatures are over bytes, never over re-serialised JSON. */
  body: Buffer;
  secret: string;
  /** Seconds since the epoch. */
  nowSeconds: number;
  toleranceSeconds: number;
}

/**
 * `signedId`: a delivery id the verified signature covers (Standard Webhooks' `webhook-id`), so it can
 * be trusted as a redelivery key; absent for schemes that sign no id.
 */
export type VerifyResult = { ok: true; signedId?: string } | { ok: false; reason: string };

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

/** Timestamps are whole seconds since the epoch; a stale or future one is a replay or a broken clock. */
export function checkTimestamp(raw: string | undefined, input: VerifyInput): VerifyResult {
  if (raw === undefined) return { ok: false, reason: 'timestamp header missing' };
  if (!/^\d{1,12}$/.test(raw.trim()))
    return { ok: false, reason: 'timestamp is not whole seconds since the epoch' };
  const skew = Math.abs(input.nowSeconds - Number(raw));
  if (skew > input.toleranceSeconds) {
    return {
      ok: false,
      reason: `timestamp is ${skew} s away from now (allowed: ${input.toleranceSeconds} s)`,
    };
  }
  return { ok: true };
}
