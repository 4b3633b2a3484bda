import { createTestContext, sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { SlackAdapter } from '../src/adapter.js';
import { startSlackFakeServer } from '../src/testing/index.js';
import { createRig, DM, type SlackTestRig, startRig, testConfig } from './harness.js';

let rig: SlackTestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('slack socket mode connection', () => {
  it("Slack's disconnect (refresh_requested) reconnects at once, visibly, and nothing is lost", async () => {
    rig = await startRig({ config: { reconnect: { initialMs: 5_000, maxMs: 10_000 } } });
    const { fake, context } = rig;
    const mark = context.statuses.length;
    const started = Date.now();
    expect(fake.requestDisconnect('refresh_requested')).toBe(1);
    fake.message({ channel: DM, text: 'sent during the refresh' });
    await waitFor(() => context.statuses.slice(mark).includes('online'), {
      timeoutMs: 5_000,
      what: 'back online',
    });
    // The 5 s backoff was skipped: Slack asked for the new connection, nothing failed.
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(context.statuses.slice(mark)).toEqual(['reconnecting', 'online']);
    expect(context.logger.find('warn', 'reconnect attempt').length).toBeGreaterThanOrEqual(1);
    await context.waitForReceived((m) => m.text === 'sent during the refresh', 5_000);
    expect(fake.connectionCount).toBe(2);
  });

  it('every reconnect attempt is logged and reported, with growing backoff, while Slack is unreachable', async () => {
    rig = await startRig({ config: { reconnect: { initialMs: 100, maxMs: 400 } } });
    const { fake, context } = rig;
    // apps.connections.open refuses (Slack having trouble) five times, then works again.
    fake.failNext('apps.connections.open', { kind: 'http', status: 503 }, 5);
    const mark = context.statuses.length;
    fake.dropSockets();
    await waitFor(() => context.statuses.slice(mark).includes('reconnecting'), {
      timeoutMs: 5_000,
      what: 'reconnecting',
    });
    await waitFor(() => fake.openSockets === 1 && context.statuses.at(-1) === 'online', {
      timeoutMs: 10_000,
      what: 'online again after the outage',
    });
    const attempts = context.logger.find('warn', 'reconnect attempt');
    expect(attempts.length).toBeGreaterThanOrEqual(6);
    const delays = attempts.map((e) => Number(e.fields['delayMs']));
    expect(delays[0]).toBeGreaterThan(0);
    expect(Math.max(...delays)).toBeGreaterThan(delays[0]!);
    expect(context.statuses.filter((s) => s === 'reconnecting').length).toBeGreaterThanOrEqual(6);
    expect(context.statuses).not.toContain('failed');
  });

  it('a wrong app token fails start() with auth_failed and a fix, without retrying forever', async () => {
    const fake = await startSlackFakeServer();
    const context = createTestContext();
    const adapter = new SlackAdapter(testConfig(fake, { appToken: 'xapp-1-not-the-right-one' }));
    try {
      await expect(adapter.start(context.ctx)).rejects.toMatchObject({ code: 'auth_failed' });
      expect(context.statuses.at(-1)).toBe('failed');
      expect(fake.requests.filter((r) => r.method === 'apps.connections.open')).toHaveLength(1);
      await sleep(300);
      expect(fake.requests.filter((r) => r.method === 'apps.connections.open')).toHaveLength(1);
    } finally {
      await adapter.stop();
      await fake.close();
      await context.cleanup();
    }
  });

  it('swapped tokens are refused by config validation with a clear message', () => {
    expect(() => new SlackAdapter({ botToken: 'xapp-1-abc', appToken: 'xoxb-123' })).toThrow(/swap the two/);
  });

  it('a wrong bot token fails start() at auth.test, before any socket', async () => {
    rig = await createRig({ config: { botToken: 'xoxb-wrong' } });
    await expect(rig.adapter.start(rig.context.ctx)).rejects.toMatchObject({ code: 'auth_failed' });
    expect(rig.fake.connectionCount).toBe(0);
  });

  it('stop() during a reconnect backoff leaves nothing behind', async () => {
    rig = await startRig({ config: { reconnect: { initialMs: 2_000, maxMs: 2_000 } } });
    const { fake, adapter, context } = rig;
    fake.dropSockets();
    await waitFor(() => context.statuses.at(-1) === 'reconnecting', {
      timeoutMs: 5_000,
      what: 'reconnecting',
    });
    await adapter.stop();
    const count = fake.connectionCount;
    await sleep(2_500);
    expect(fake.connectionCount).toBe(count);
    expect(fake.openSockets).toBe(0);
  });

  it('probe() checks both tokens without opening a socket', async () => {
    rig = await createRig();
    const ok = await rig.adapter.probe();
    expect(ok).toMatchObject({ ok: true, identity: '@hermes in Fake Workspace' });
    expect(rig.fake.connectionCount).toBe(0);
    const bad = new SlackAdapter(testConfig(rig.fake, { appToken: 'xapp-1-revoked' }));
    const result = await bad.probe();
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('auth_failed');
      expect(result.fix).toBeTruthy();
    }
  });
});

describe('slack half-dead connections', () => {
  it('a peer that stops answering pings is noticed by the ping monitor and replaced, with nothing lost', async () => {
    rig = await startRig({ config: { clientPingTimeoutMs: 600 } });
    const { fake, context } = rig;
    const mark = context.statuses.length;
    const stalledAt = Date.now();
    expect(fake.stallSockets()).toBe(1);
    await waitFor(() => context.statuses.slice(mark).includes('reconnecting'), {
      timeoutMs: 5_000,
      what: 'the stall noticed',
    });
    await waitFor(() => context.statuses.at(-1) === 'online' && fake.connectionCount === 2, {
      timeoutMs: 5_000,
      what: 'a new connection',
    });
    expect(Date.now() - stalledAt).toBeLessThan(6_000);
    fake.message({ channel: DM, text: 'after the zombie' });
    await context.waitForReceived((m) => m.text === 'after the zombie', 5_000);
  });

  it('stop() on a stalled socket returns promptly: the unanswered close handshake is cut after 1 s', async () => {
    rig = await startRig();
    const { fake, adapter } = rig;
    fake.stallSockets();
    const started = Date.now();
    await adapter.stop();
    expect(Date.now() - started).toBeLessThan(2_500);
  });
});
