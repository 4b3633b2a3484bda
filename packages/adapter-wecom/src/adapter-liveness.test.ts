import { judgeLiveness } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Rig, sleep, startRig } from './test-support.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const dm = { platform: 'wecom', chatId: 'alice', chatType: 'dm' } as const;

describe('WecomAdapter liveness', () => {
  it('heartbeats on ping acks, counts accepted callbacks as inbound and confirmed replies as sent', async () => {
    rig = await startRig({ heartbeatIntervalMs: 100, textBatching: false });
    const atStart = rig.adapter.liveness();
    expect(atStart).toMatchObject({ heartbeatIntervalMs: 100 });
    expect(atStart.lastInboundAt).toBeUndefined();
    expect(atStart.lastSendAt).toBeUndefined();
    const firstBeat = atStart.lastHeartbeatAt ?? 0;
    await rig.fake.waitUntil(
      () => (rig!.adapter.liveness().lastHeartbeatAt ?? 0) > firstBeat,
      3_000,
      'a ping ack to count as a heartbeat',
    );

    rig.fake.deliverText('hello', { from: 'alice' });
    await rig.context.waitForReceived((m) => m.text === 'hello');
    expect(rig.adapter.liveness().lastInboundAt).toBeTypeOf('number');
    expect(rig.adapter.liveness().lastSendAt).toBeUndefined();

    expect((await rig.adapter.send(dm, { text: 'hi back' })).ok).toBe(true);
    expect(rig.adapter.liveness().lastSendAt).toBeTypeOf('number');
  });

  it('a callback dropped by the platform policy is not inbound', async () => {
    rig = await startRig({ dmPolicy: 'disabled' });
    rig.fake.deliverText('nobody hears this', { from: 'alice' });
    await rig.fake.waitUntil(() => rig!.adapter.stats().dropped.blocked === 1, 2_000, 'the DM to be dropped');
    expect(rig.adapter.liveness().lastInboundAt).toBeUndefined();
  });

  it('a socket that stays open but stops acking pings reads as stalled when the ack timeout is long', async () => {
    // The ack timeout is far beyond three intervals, so the supervisor does not drop the socket first.
    rig = await startRig({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 10_000 });
    rig.fake.silencePings();
    const verdict = await rig.fake.waitUntil(
      () => {
        const v = judgeLiveness(rig!.adapter.liveness(), Date.now());
        return v.stalled ? v : undefined;
      },
      3_000,
      'the watchdog verdict to say stalled',
    );
    expect(verdict.silentForMs).toBeGreaterThan(300);
    expect(rig.fake.openSockets).toBe(1);
    expect(rig.fake.subscriptions).toHaveLength(1);
  });

  it('with the default ack timeout the supervisor reconnects a silent socket before it reads as stalled', async () => {
    // Default: the ack may take one interval, so a dead socket is dropped after two intervals, before the
    // watchdog's three; the new socket starts a fresh heartbeat clock.
    rig = await startRig({ heartbeatIntervalMs: 500 });
    rig.fake.silencePings();
    const deadline = Date.now() + 5_000;
    const verdicts: boolean[] = [];
    while (rig.fake.subscriptions.length < 2 && Date.now() < deadline) {
      verdicts.push(judgeLiveness(rig.adapter.liveness(), Date.now()).stalled);
      await sleep(20);
    }
    expect(rig.fake.subscriptions.length).toBeGreaterThanOrEqual(2);
    expect(verdicts.length).toBeGreaterThan(10);
    expect(verdicts).not.toContain(true);
    const reconnectedAt = rig.fake.subscriptions[1]?.at ?? Number.POSITIVE_INFINITY;
    await rig.fake.waitUntil(
      () => (rig!.adapter.liveness().lastHeartbeatAt ?? 0) >= reconnectedAt - 5,
      2_000,
      'the heartbeat clock to restart on the new socket',
    );
    expect(judgeLiveness(rig.adapter.liveness(), Date.now()).stalled).toBe(false);
  });
});
