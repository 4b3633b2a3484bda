import { sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type DiscordTestRig, startRig } from './support.js';

/** Statuses reported after `mark`, in order. */
function statusesSince(rig: DiscordTestRig, mark: number): string[] {
  return rig.context.statuses.slice(mark);
}

async function backOnline(rig: DiscordTestRig, mark: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    () => {
      const after = statusesSince(rig, mark);
      const r = after.indexOf('reconnecting');
      return r >= 0 && after.indexOf('online', r) > r;
    },
    { timeoutMs, what: 'reconnecting then online' },
  );
}

describe('gateway reconnects', () => {
  let rig: DiscordTestRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('zombie connection (heartbeats no longer acknowledged): resumes, and messages sent meanwhile arrive once', async () => {
    rig = await startRig();
    const { fake, context } = rig;
    const mark = context.statuses.length;
    fake.setZombie(true);
    fake.postMessage({ channelId: fake.ids.dms.alice, content: 'sent to a zombie' });
    await backOnline(rig, mark);
    await context.waitForReceived((m) => m.text === 'sent to a zombie', 5_000);
    expect(fake.gateway.resumes).toBeGreaterThanOrEqual(1);
    expect(fake.gateway.identifies).toBe(1);
    const closed = context.logger.find('warn', 'connection closed');
    expect(closed.some((e) => e.fields['code'] === 4200)).toBe(true);
    await sleep(300);
    expect(context.received.filter((m) => m.text === 'sent to a zombie')).toHaveLength(1);
  });

  it('zombie that also ignores the close handshake: the socket is cut after closeTimeoutMs, then resumed', async () => {
    rig = await startRig({ closeTimeoutMs: 300 });
    const { fake, context } = rig;
    const mark = context.statuses.length;
    fake.setZombie(true, { ignoreClose: true });
    await backOnline(rig, mark);
    expect(context.logger.find('warn', 'did not finish closing').length).toBeGreaterThanOrEqual(1);
    fake.postMessage({ channelId: fake.ids.dms.alice, content: 'after the zombie' });
    await context.waitForReceived((m) => m.text === 'after the zombie', 5_000);
    expect(context.statuses.slice(mark)).not.toContain('failed');
  });

  it('a gateway that refuses connections is retried with growing pauses, each attempt logged', async () => {
    rig = await startRig({
      reconnectBackoff: { kind: 'exponential', initialMs: 300, maxMs: 2_400, factor: 2, jitter: 0 },
    });
    const { fake, context } = rig;
    fake.refuseConnections('http-503');
    const before = fake.gateway.attempts.length;
    const mark = context.statuses.length;
    fake.dropConnection();
    await waitFor(() => fake.gateway.attempts.length - before >= 4, {
      timeoutMs: 15_000,
      what: '4 refused attempts',
    });
    const times = fake.gateway.attempts.slice(before);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // discord.js waits 0.5 s before each attempt; the backoff adds 600, 1200, 2400 ms on top of that for
    // attempts 2-4 (a loaded machine only makes gaps longer, so the lower bounds hold).
    expect(gaps[0]).toBeGreaterThanOrEqual(500 + 600 - 50);
    expect(gaps[1]).toBeGreaterThanOrEqual(500 + 1200 - 50);
    expect(gaps[2]).toBeGreaterThanOrEqual(500 + 2400 - 50);
    expect(gaps[2]).toBeGreaterThan(gaps[0]!);
    const logged = context.logger.find('warn', 'reconnect attempt').map((e) => e.fields['attempt']);
    expect(logged.slice(0, 4)).toEqual([1, 2, 3, 4]);
    expect(statusesSince(rig, mark)).toContain('reconnecting');

    fake.refuseConnections('none');
    fake.postMessage({ channelId: fake.ids.dms.alice, content: 'while the gateway was down' });
    await waitFor(() => context.statuses.at(-1) === 'online', { timeoutMs: 10_000, what: 'online again' });
    await context.waitForReceived((m) => m.text === 'while the gateway was down', 5_000);
    // A heartbeat acknowledged on the new session starts the backoff over: the next drop is attempt 1 again.
    const heartbeats = fake.gateway.frames.filter((f) => f.op === 1).length;
    await waitFor(() => fake.gateway.frames.filter((f) => f.op === 1).length > heartbeats, {
      timeoutMs: 3_000,
      what: 'a heartbeat on the new session',
    });
    await sleep(50);
    const seen = context.logger.find('warn', 'reconnect attempt').length;
    fake.dropConnection();
    await waitFor(() => context.logger.find('warn', 'reconnect attempt').length > seen, {
      timeoutMs: 5_000,
      what: 'the next reconnect attempt',
    });
    expect(context.logger.find('warn', 'reconnect attempt').at(-1)?.fields['attempt']).toBe(1);
  }, 40_000);

  it('stop() during a reconnect pause opens no new connection', async () => {
    rig = await startRig({ reconnectBackoff: { kind: 'schedule', delaysMs: [2_000], jitter: 0 } });
    const { fake, adapter, context } = rig;
    fake.refuseConnections('http-503');
    fake.dropConnection();
    await waitFor(() => context.logger.find('warn', 'reconnect attempt').length >= 1, {
      timeoutMs: 5_000,
      what: 'the first reconnect attempt to start its pause',
    });
    const attempts = fake.gateway.attempts.length;
    await adapter.stop();
    await sleep(3_000);
    expect(fake.gateway.attempts.length).toBe(attempts);
    expect(fake.gateway.openSockets()).toBe(0);
  }, 20_000);

  it('a session the gateway forgot is re-identified', async () => {
    rig = await startRig();
    const { fake, context } = rig;
    const mark = context.statuses.length;
    fake.forgetSessions();
    fake.dropConnection();
    await backOnline(rig, mark, 15_000);
    await waitFor(() => fake.gateway.identifies === 2, { timeoutMs: 15_000, what: 'a second IDENTIFY' });
    await fake.waitForSession(10_000);
    fake.postMessage({ channelId: fake.ids.dms.alice, content: 'on the new session' });
    await context.waitForReceived((m) => m.text === 'on the new session', 5_000);
  }, 30_000);

  it('op 7 RECONNECT from Discord: resumes without losing the session', async () => {
    rig = await startRig();
    const { fake, context } = rig;
    const mark = context.statuses.length;
    fake.requestReconnect();
    await backOnline(rig, mark);
    expect(fake.gateway.resumes).toBe(1);
    fake.postMessage({ channelId: fake.ids.dms.alice, content: 'after op 7' });
    await context.waitForReceived((m) => m.text === 'after op 7', 5_000);
  });
});
