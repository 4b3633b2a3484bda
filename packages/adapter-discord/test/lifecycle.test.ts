import { createTestContext, sleep, waitFor } from '@hermes/adapter-testkit';
import { describe, expect, it } from 'vitest';
import { DiscordAdapter } from '../src/adapter.js';
import { FakeIntent, startFakeDiscord } from '../src/testing/index.js';
import { startRig, testConfig } from './support.js';

/** Shaped like a real bot token, so the redactor's pattern and the literal both apply. */
const TOKEN = 'MTIwMDAwMDAwMDAwMDAwMDAwMQ.GhJkLm.abcdefghijklmnopqrstuvwxyz0123456789AB';

describe('lifecycle', () => {
  it('reports connecting → online → offline, restarts cleanly, and never logs the token', async () => {
    const fake = await startFakeDiscord({ heartbeatIntervalMs: 250, token: TOKEN });
    const adapter = new DiscordAdapter(testConfig(fake));
    const context = createTestContext();
    try {
      await adapter.start(context.ctx);
      expect(context.statuses).toEqual(['connecting', 'online']);
      expect(adapter.stats.botId).toBe(fake.ids.bot);
      await adapter.stop();
      await adapter.stop();
      expect(context.statuses.at(-1)).toBe('offline');
      await waitFor(() => fake.gateway.openSockets() === 0, { timeoutMs: 3_000, what: 'socket closed' });
      await adapter.start(context.ctx);
      fake.postMessage({ channelId: fake.ids.dms.alice, content: 'after restart' });
      await context.waitForReceived((m) => m.text === 'after restart', 5_000);
      expect(fake.gateway.identifies).toBe(2);
      const logged = JSON.stringify(context.logger.entries);
      expect(logged).not.toContain(TOKEN);
      expect(logged).not.toContain(TOKEN.split('.')[2]);
    } finally {
      await adapter.stop();
      await context.cleanup();
      await fake.close();
    }
  });

  it('a wrong token fails start() with auth_failed and a fix, leaving nothing open', async () => {
    const fake = await startFakeDiscord();
    const adapter = new DiscordAdapter(testConfig(fake, { token: 'wrong-token' }));
    const context = createTestContext();
    try {
      await expect(adapter.start(context.ctx)).rejects.toMatchObject({
        code: 'auth_failed',
        fix: expect.stringMatching(/DISCORD_BOT_TOKEN/),
      });
      expect(fake.gateway.attempts).toHaveLength(0);
      const probe = await adapter.probe();
      expect(probe.ok).toBe(false);
      if (!probe.ok) expect(probe.error.code).toBe('auth_failed');
    } finally {
      await adapter.stop();
      await context.cleanup();
      await fake.close();
    }
  });

  it('probe() checks the token with users/@me without opening the gateway', async () => {
    const fake = await startFakeDiscord();
    try {
      const adapter = new DiscordAdapter(testConfig(fake));
      expect(await adapter.probe()).toEqual({
        ok: true,
        identity: `hermes (${fake.ids.bot})`,
        detail: 'bot account',
      });
      expect(fake.gateway.attempts).toHaveLength(0);
      expect(fake.requests.map((r) => r.route)).toEqual(['/users/@me']);
    } finally {
      await fake.close();
    }
  });

  it('Message Content intent not switched on in the portal: start() fails with config_invalid naming the switch', async () => {
    const fake = await startFakeDiscord({ disallowedIntents: FakeIntent.MessageContent });
    const adapter = new DiscordAdapter(testConfig(fake));
    const context = createTestContext();
    try {
      await expect(adapter.start(context.ctx)).rejects.toMatchObject({
        code: 'config_invalid',
        fix: expect.stringMatching(/Message Content Intent/),
      });
      await sleep(1_000);
      expect(fake.gateway.attempts).toHaveLength(1);
    } finally {
      await adapter.stop();
      await context.cleanup();
      await fake.close();
    }
  });

  for (const mode of ['http-503', 'drop-after-open'] as const) {
    it(`a gateway that never comes up (${mode}): start() fails with not_connected and stops trying`, async () => {
      const fake = await startFakeDiscord();
      fake.refuseConnections(mode);
      const adapter = new DiscordAdapter(testConfig(fake, { startTimeoutMs: 1_500 }));
      const context = createTestContext();
      try {
        await expect(adapter.start(context.ctx)).rejects.toMatchObject({
          code: 'not_connected',
          retryable: true,
        });
        const attempts = fake.gateway.attempts.length;
        expect(attempts).toBeGreaterThanOrEqual(1);
        await sleep(1_500);
        expect(fake.gateway.attempts.length).toBe(attempts);
        expect(fake.gateway.openSockets()).toBe(0);
      } finally {
        await adapter.stop();
        await context.cleanup();
        await fake.close();
      }
    });
  }

  it('stop() while start() is still connecting makes start() reject at once', async () => {
    const fake = await startFakeDiscord();
    fake.refuseConnections('drop-after-open');
    const adapter = new DiscordAdapter(testConfig(fake, { startTimeoutMs: 30_000 }));
    const context = createTestContext();
    try {
      const starting = adapter.start(context.ctx);
      await waitFor(() => fake.gateway.attempts.length >= 1, {
        timeoutMs: 5_000,
        what: 'a connection attempt',
      });
      const t0 = Date.now();
      await adapter.stop();
      await expect(starting).rejects.toMatchObject({ code: 'aborted' });
      expect(Date.now() - t0).toBeLessThan(3_000);
      const attempts = fake.gateway.attempts.length;
      await sleep(1_000);
      expect(fake.gateway.attempts.length).toBe(attempts);
    } finally {
      await adapter.stop();
      await context.cleanup();
      await fake.close();
    }
  });

  it('the gateway refusing the bot after it was online (close 4004) reports failed with the fix', async () => {
    const rig = await startRig();
    try {
      rig.fake.closeConnection(4004, 'Authentication failed.');
      await waitFor(() => rig.context.statuses.at(-1) === 'failed', {
        timeoutMs: 5_000,
        what: 'status failed',
      });
      expect(rig.context.statusLog.at(-1)?.detail).toMatch(/DISCORD_BOT_TOKEN/);
      await sleep(800);
      expect(rig.fake.gateway.attempts).toHaveLength(1);
    } finally {
      await rig.close();
    }
  });
});
