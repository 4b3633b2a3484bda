import { describe, expect, it } from 'vitest';
import { judgeLiveness, LivenessTracker, STALL_HEARTBEATS } from './liveness-tracker.js';

describe('LivenessTracker and judgeLiveness', () => {
  it('records inbound, sends and heartbeats, and counts an inbound event as a heartbeat', () => {
    let now = 1_000;
    const t = new LivenessTracker(10_000, () => now);
    expect(t.liveness()).toEqual({ heartbeatIntervalMs: 10_000 });
    t.inbound();
    now = 2_000;
    t.sent();
    expect(t.liveness()).toEqual({
      lastInboundAt: 1_000,
      lastSendAt: 2_000,
      lastHeartbeatAt: 1_000,
      heartbeatIntervalMs: 10_000,
    });
  });

  it('calls a platform stalled only after several missed heartbeats', () => {
    let now = 0;
    const t = new LivenessTracker(1_000, () => now);
    t.resetHeartbeat();
    now = 1_000 * STALL_HEARTBEATS;
    expect(judgeLiveness(t.liveness(), now)).toEqual({ stalled: false });
    now += 1;
    const verdict = judgeLiveness(t.liveness(), now);
    expect(verdict).toMatchObject({ stalled: true, silentForMs: 1_000 * STALL_HEARTBEATS + 1 });
    t.heartbeat();
    expect(judgeLiveness(t.liveness(), now)).toEqual({ stalled: false });
  });

  it('never calls a platform without a heartbeat stalled, however quiet', () => {
    const t = new LivenessTracker(undefined, () => 0);
    expect(judgeLiveness(t.liveness(), 10 ** 12)).toEqual({ stalled: false });
  });
});
