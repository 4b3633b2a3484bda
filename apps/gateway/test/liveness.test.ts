import { readFileSync } from 'node:fs';
import type { AdapterContext, AdapterLiveness } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, waitFor } from './support/harness.js';
import { MemoryAdapter } from './support/memory-adapter.js';

/** Reports a heartbeat the test controls, the way a polling loop or a WebSocket would. */
class HeartbeatAdapter extends MemoryAdapter {
  starts = 0;
  lastHeartbeatAt = Date.now();
  lastInboundAt: number | undefined;
  override async start(ctx: AdapterContext): Promise<void> {
    this.starts++;
    this.lastHeartbeatAt = Date.now();
    await super.start(ctx);
  }
  liveness(): AdapterLiveness {
    const out: AdapterLiveness = { lastHeartbeatAt: this.lastHeartbeatAt, heartbeatIntervalMs: 100 };
    if (this.lastInboundAt !== undefined) out.lastInboundAt = this.lastInboundAt;
    return out;
  }
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('liveness watchdog', () => {
  it('reconnects an online platform whose own heartbeat went quiet, and leaves a healthy one alone', async () => {
    const stalled = new HeartbeatAdapter('stalling');
    const healthy = new HeartbeatAdapter('healthy');
    const beat = setInterval(() => {
      healthy.lastHeartbeatAt = Date.now();
    }, 30);
    try {
      h = await startHarness({ extraAdapters: [stalled, healthy], livenessCheckMs: 50 });
      // Heartbeat due every 100 ms: after 300 ms of silence the platform counts as stalled.
      stalled.lastHeartbeatAt = Date.now() - 10_000;
      await waitFor(() => stalled.starts >= 2, 'the stalled platform to be reconnected', 5_000);
      const [line] = h.logger.find('warn', 'platform stalled: reconnecting it');
      expect(line?.fields).toMatchObject({ platform: 'stalling' });
      expect(String(line?.fields.reason)).toMatch(/no sign of life for \d+ s/);
      expect(healthy.starts).toBe(1);
    } finally {
      clearInterval(beat);
    }
  });

  it('writes last inbound and last send times into the status file `hermes status` reads', async () => {
    const adapter = new HeartbeatAdapter('memory');
    adapter.lastInboundAt = Date.parse('2026-12-05T10:00:00Z');
    h = await startHarness({ adapter, livenessCheckMs: 50 });
    await waitFor(() => {
      const file = JSON.parse(readFileSync(h!.host.runtime.config.paths.statusFile, 'utf8'));
      return file.platforms.memory?.lastInboundAt === '2026-12-05T10:00:00.000Z';
    }, 'the status file to show the last inbound time');
  });
});

describe('/platform', () => {
  it('lists platforms for anyone allowed in; pause and resume only for an admin', async () => {
    const other = new HeartbeatAdapter('other');
    h = await startHarness({
      extraAdapters: [other],
      env: { MEMORY_ALLOWED_USERS: 'user-1,user-2' },
      files: { 'config.yaml': 'gateway:\n  allow_admin_from: ["memory:user-1"]\n' },
    });
    const reply = async (text: string, userId = 'user-1') => {
      const before = h!.adapter.texts().length;
      h!.adapter.inject({ text, userId, chatId: userId });
      await waitFor(() => h!.adapter.texts().length > before, `a reply to ${text}`);
      return h!.adapter.texts().at(-1)!;
    };
    expect(await reply('/platform list', 'user-2')).toMatch(/\*\*other\*\*: online/);
    expect(await reply('/platform pause other', 'user-2')).toMatch(/Only an admin/);
    expect(other.starts).toBe(1);
    expect(await reply('/platform pause other')).toMatch(/other paused/);
    expect(h.host.runtime.platformStatuses().find((p) => p.platform === 'other')?.status).toBe('offline');
    expect(await reply('/platform pause other')).toMatch(/already paused/);
    expect(await reply('/platform resume other')).toMatch(/other resumed/);
    expect(other.starts).toBe(2);
    expect(h.host.runtime.platformStatuses().find((p) => p.platform === 'other')?.status).toBe('online');
    // The model was never involved.
    expect(h.fake.requests).toHaveLength(0);
  });
});
