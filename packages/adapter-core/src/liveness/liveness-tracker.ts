import type { AdapterLiveness } from '../contract.js';

/**
 * What an adapter records as it runs: it calls `inbound()` for every platform event it accepts, `sent()`
 * after every send the platform confirmed, and `heartbeat()` whenever the platform shows it is alive (a
 * long poll returned, a heartbeat ack arrived). `liveness()` is what the adapter's own `liveness()` returns.
 */
export class LivenessTracker {
  private lastInboundAt: number | undefined;
  private lastSendAt: number | undefined;
  private lastHeartbeatAt: number | undefined;

  /**
   * @param heartbeatIntervalMs how often a sign of life is due while online (the poll timeout, the
   *   WebSocket heartbeat interval); undefined for platforms that have none (an HTTP server waits for
   *   clients, so silence there is not a stall).
   */
  constructor(
    private readonly heartbeatIntervalMs?: number,
    private readonly now: () => number = Date.now,
  ) {}

  inbound(): void {
    this.lastInboundAt = this.now();
    this.lastHeartbeatAt = this.lastInboundAt;
  }

  sent(): void {
    this.lastSendAt = this.now();
  }

  heartbeat(): void {
    this.lastHeartbeatAt = this.now();
  }

  /** Forget the heartbeat (on start and reconnect): the watchdog measures from the new connection. */
  resetHeartbeat(): void {
    this.lastHeartbeatAt = this.now();
  }

  liveness(): AdapterLiveness {
    const out: AdapterLiveness = {};
    if (this.lastInboundAt !== undefined) out.lastInboundAt = this.lastInboundAt;
    if (this.lastSendAt !== undefined) out.lastSendAt = this.lastSendAt;
    if (this.lastHeartbeatAt !== undefined) out.lastHeartbeatAt = this.lastHeartbeatAt;
    if (this.heartbeatIntervalMs !== undefined) out.heartbeatIntervalMs = this.heartbeatIntervalMs;
    return out;
  }
}

/** Missed heartbeats before a platform counts as stalled: one late answer is normal, three are not. */
export const STALL_HEARTBEATS = 3;

export type StallVerdict = { stalled: false } | { stalled: true; silentForMs: number; reason: string };

/**
 * Whether an online adapter has gone quiet while its own heartbeat says it should not have: no sign of
 * life for `STALL_HEARTBEATS` intervals. Adapters without a heartbeat interval never stall.
 */
export function judgeLiveness(liveness: AdapterLiveness, now: number): StallVerdict {
  const { lastHeartbeatAt, heartbeatIntervalMs } = liveness;
  if (heartbeatIntervalMs === undefined || lastHeartbeatAt === undefined) return { stalled: false };
  const silentForMs = now - lastHeartbeatAt;
  const limit = heartbeatIntervalMs * STALL_HEARTBEATS;
  if (silentForMs <= limit) return { stalled: false };
  return {
    stalled: true,
    silentForMs,
    reason: `no sign of life for ${Math.round(silentForMs / 1000)} s (a heartbeat is due every ${Math.round(heartbeatIntervalMs / 1000)} s)`,
  };
}
