import { judgeLiveness } from '@hermes/adapter-core';
import { waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { telegramPollHeartbeatMs } from '../src/index.js';
import { createHarness, type TelegramHarness } from './harness.js';

let h: TelegramHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const alice = { platform: 'telegram', chatId: '1001', chatType: 'dm' as const };

describe('liveness', () => {
  it('polling: each returned long poll is a heartbeat; updates and sends are recorded', async () => {
    h = await createHarness({ config: { pollTimeoutSeconds: 1 } });
    const t = h;
    await t.adapter.start(t.context.ctx);
    const first = t.adapter.liveness();
    expect(first.heartbeatIntervalMs).toBe(telegramPollHeartbeatMs(1));
    expect(first.lastInboundAt).toBeUndefined();
    // An empty poll returns after its 1 s timeout and moves the heartbeat on.
    const polls = t.fake.callsTo('getUpdates').length;
    await waitFor(() => t.fake.callsTo('getUpdates').length >= polls + 2, {
      timeoutMs: 5_000,
      what: 'an empty long poll to return',
    });
    expect(t.adapter.liveness().lastHeartbeatAt!).toBeGreaterThan(first.lastHeartbeatAt!);
    t.fake.sendText({ chat: t.fake.aliceDm, from: t.fake.alice, text: 'hi' });
    await t.context.waitForReceived();
    expect(t.adapter.liveness().lastInboundAt).toBeTypeOf('number');
    expect((await t.adapter.send(alice, { text: 'hello' })).ok).toBe(true);
    expect(t.adapter.liveness().lastSendAt).toBeTypeOf('number');
    expect(judgeLiveness(t.adapter.liveness(), Date.now()).stalled).toBe(false);
  });

  it('polling that stops getting answers shows a stale heartbeat the watchdog calls stalled', async () => {
    h = await createHarness({ config: { pollTimeoutSeconds: 1 } });
    const t = h;
    await t.adapter.start(t.context.ctx);
    t.fake.hangPolls();
    const before = t.fake.callsTo('getUpdates').length;
    // The poll in flight returns after its timeout; the next one is never answered.
    await waitFor(() => t.fake.callsTo('getUpdates').length > before, {
      timeoutMs: 5_000,
      what: 'a getUpdates call the fake leaves hanging',
    });
    const frozen = t.adapter.liveness().lastHeartbeatAt;
    const verdict = await waitFor(
      () => {
        const v = judgeLiveness(t.adapter.liveness(), Date.now());
        return v.stalled ? v : undefined;
      },
      { timeoutMs: 4 * telegramPollHeartbeatMs(1) + 2_000, intervalMs: 100, what: 'the stall verdict' },
    );
    expect(verdict.reason).toMatch(/no sign of life/);
    expect(t.adapter.liveness().lastHeartbeatAt).toBe(frozen);
  }, 20_000);

  it('webhook mode has no heartbeat interval: waiting for Telegram is not a stall', async () => {
    h = await createHarness({
      config: { webhook: { url: 'https://bot.example.com/tg', secret: 'a-secret-of-some-length', port: 0 } },
    });
    const t = h;
    await t.adapter.start(t.context.ctx);
    const l = t.adapter.liveness();
    expect(l.heartbeatIntervalMs).toBeUndefined();
    expect(judgeLiveness(l, Date.now() + 3_600_000).stalled).toBe(false);
  });
});
