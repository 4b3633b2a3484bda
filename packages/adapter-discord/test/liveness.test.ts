import { type ChatRef, judgeLiveness } from '@hermes/adapter-core';
import { waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type DiscordTestRig, startRig } from './support.js';

const HEARTBEAT_MS = 200;

describe('liveness (contract v2)', () => {
  let rig: DiscordTestRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('takes the heartbeat interval from HELLO and records acks, inbound messages and sends', async () => {
    rig = await startRig({}, { heartbeatIntervalMs: HEARTBEAT_MS });
    const { fake, adapter, context } = rig;
    const intervalSeen = await waitFor(() => adapter.liveness().heartbeatIntervalMs, { timeoutMs: 5_000 });
    expect(intervalSeen).toBe(HEARTBEAT_MS);
    // Two acks in a row prove heartbeat() follows op 11 and not just the reset at start.
    const acks = () => fake.gateway.frames.filter((f) => f.op === 1).length;
    const first = await waitFor(() => (acks() >= 1 ? adapter.liveness().lastHeartbeatAt : undefined), {
      timeoutMs: 5_000,
    });
    await waitFor(() => (adapter.liveness().lastHeartbeatAt ?? 0) > first, { timeoutMs: 5_000 });
    expect(judgeLiveness(adapter.liveness(), Date.now())).toEqual({ stalled: false });

    expect(adapter.liveness().lastInboundAt).toBeUndefined();
    fake.postMessage({ channelId: fake.ids.dms.alice, content: 'hello' });
    await context.waitForReceived((m) => m.text === 'hello', 5_000);
    expect(adapter.liveness().lastInboundAt).toBeTypeOf('number');

    expect(adapter.liveness().lastSendAt).toBeUndefined();
    const chat: ChatRef = { platform: 'discord', chatId: fake.ids.dms.alice, chatType: 'dm' };
    const sent = await adapter.send(chat, { text: 'hi' });
    expect(sent.ok).toBe(true);
    expect(adapter.liveness().lastSendAt).toBeTypeOf('number');
  });

  it('a gateway that keeps the socket open but stops acking heartbeats and sending events reads as stalled', async () => {
    rig = await startRig({}, { heartbeatIntervalMs: HEARTBEAT_MS });
    const { fake, adapter } = rig;
    await waitFor(() => adapter.liveness().heartbeatIntervalMs, { timeoutMs: 5_000 });
    await waitFor(() => fake.gateway.frames.some((f) => f.op === 1), { timeoutMs: 5_000 });
    expect(judgeLiveness(adapter.liveness(), Date.now()).stalled).toBe(false);

    fake.stopHeartbeatAcks();
    const verdict = await waitFor(
      () => {
        const v = judgeLiveness(adapter.liveness(), Date.now());
        return v.stalled ? v : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    expect(verdict.reason).toMatch(/no sign of life/);
    expect(verdict.silentForMs).toBeGreaterThan(3 * HEARTBEAT_MS);

    // Acks back: the next ack clears the stall.
    fake.stopHeartbeatAcks(false);
    await waitFor(() => !judgeLiveness(adapter.liveness(), Date.now()).stalled, { timeoutMs: 10_000 });
  });
});
