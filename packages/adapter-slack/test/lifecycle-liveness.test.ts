import { AdapterError, type ChatRef, judgeLiveness } from '@hermes/adapter-core';
import { waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createRig, DM, type SlackTestRig, startRig } from './harness.js';

let rig: SlackTestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const dm: ChatRef = { platform: 'slack', chatId: DM, chatType: 'dm' };

describe('slack lifecycle', () => {
  it('start() while started rejects with already_started and leaves the running adapter alone', async () => {
    rig = await startRig();
    const again = rig.adapter.start(rig.context.ctx);
    await expect(again).rejects.toBeInstanceOf(AdapterError);
    await expect(again).rejects.toMatchObject({ code: 'already_started' });
    expect(rig.fake.openSockets).toBe(1);
    expect((await rig.adapter.send(dm, { text: 'still here' })).ok).toBe(true);
  });

  it('send() before start() and after stop() answers not_connected without calling Slack', async () => {
    rig = await createRig();
    const before = await rig.adapter.send(dm, { text: 'too early' });
    expect(before.ok).toBe(false);
    if (!before.ok) expect(before.error.code).toBe('not_connected');
    await rig.adapter.start(rig.context.ctx);
    await rig.adapter.stop();
    const after = await rig.adapter.send(dm, { text: 'too late' });
    expect(after.ok).toBe(false);
    if (!after.ok) expect(after.error.code).toBe('not_connected');
    expect(rig.fake.posts).toHaveLength(0);
  });

  it('no public field carries the config or the tokens', async () => {
    rig = await createRig();
    const visible = JSON.stringify(Object.entries(rig.adapter));
    expect(visible).not.toContain(rig.fake.botToken);
    expect(visible).not.toContain(rig.fake.appToken);
    expect(Object.keys(rig.adapter)).not.toContain('config');
  });
});

describe('slack liveness', () => {
  it('counts events and confirmed sends, and heartbeats on the socket own pings', async () => {
    rig = await startRig({ fake: { pingIntervalMs: 100 } });
    const start = rig.adapter.liveness();
    expect(start.heartbeatIntervalMs).toBe(5_000);
    expect(start.lastInboundAt).toBeUndefined();
    const firstBeat = start.lastHeartbeatAt ?? 0;
    await waitFor(() => (rig!.adapter.liveness().lastHeartbeatAt ?? 0) > firstBeat, {
      timeoutMs: 3_000,
      what: 'a heartbeat from a server ping',
    });
    rig.fake.message({ channel: DM, text: 'alive?' });
    await rig.context.waitForReceived((m) => m.text === 'alive?', 5_000);
    expect(rig.adapter.liveness().lastInboundAt).toBeTypeOf('number');
    await rig.adapter.send(dm, { text: 'yes' });
    expect(rig.adapter.liveness().lastSendAt).toBeTypeOf('number');
  });

  it('a socket that goes silent but stays open reads as stalled', { timeout: 40_000 }, async () => {
    // The SDK's own ping timeouts are pushed out so that it does not reconnect first: the watchdog is the
    // net under a connection the SDK keeps holding.
    rig = await startRig({
      fake: { pingIntervalMs: 200 },
      config: { clientPingTimeoutMs: 120_000, serverPingTimeoutMs: 120_000 },
    });
    const adapter = rig.adapter;
    expect(judgeLiveness(adapter.liveness(), Date.now())).toEqual({ stalled: false });
    expect(rig.fake.goSilent()).toBe(1);
    const verdict = await waitFor(
      () => {
        const v = judgeLiveness(adapter.liveness(), Date.now());
        return v.stalled ? v : undefined;
      },
      { timeoutMs: 25_000, intervalMs: 250, what: 'the stall verdict' },
    );
    expect(verdict.silentForMs).toBeGreaterThan(15_000);
    expect(rig.fake.openSockets).toBe(1);
  });
});
