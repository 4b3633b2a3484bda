import type { AdapterContext, SendResult } from '@hermes/adapter-core';
import { seededRandom } from '@hermes/adapter-core';
import { sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createRig, type SlackTestRig } from './harness.js';

let rig: SlackTestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const TOTAL = 500;
const CHANNELS = ['D0BURST1', 'D0BURST2', 'D0BURST3', 'D0BURST4', 'D0BURST5'];

describe('slack 500-message burst with the socket dropped at random points', () => {
  it('loses nothing and handles nothing twice, inbound or outbound', async () => {
    // Slack gives up after 3 redeliveries; with a drop every few dozen envelopes a message can ride on
    // several dead sockets, so the fake keeps trying longer than Slack would.
    rig = await createRig({ fake: { maxRetries: 20 }, config: { reconnect: { initialMs: 20, maxMs: 200 } } });
    const { fake, adapter, context } = rig;
    const replies: Promise<SendResult>[] = [];
    // The host's part: every message that comes in is answered.
    const ctx: AdapterContext = {
      ...context.ctx,
      receive: (msg) => {
        context.ctx.receive(msg);
        replies.push(adapter.send(msg.chat, { text: `re: ${msg.text}` }));
      },
    };
    await adapter.start(ctx);

    const random = seededRandom(22780);
    // Messages arrive in small waves while the socket is cut at random moments, so drops land before,
    // during and after the adapter read, handled and acknowledged envelopes.
    let drops = 0;
    let sent = 0;
    const deadline = Date.now() + 60_000;
    while ((sent < TOTAL || fake.unacked.length > 0) && Date.now() < deadline) {
      const wave = Math.min(TOTAL - sent, 1 + Math.floor(random() * 6));
      for (let i = 0; i < wave; i++, sent++) {
        fake.message({ channel: CHANNELS[sent % CHANNELS.length]!, text: `burst message ${sent}` });
      }
      if (sent < TOTAL && fake.openSockets > 0 && random() < 0.15) drops += fake.dropSockets() > 0 ? 1 : 0;
      await sleep(1 + Math.floor(random() * 6));
    }
    expect(fake.unacked, 'every event acknowledged in the end').toHaveLength(0);
    await waitFor(() => replies.length === TOTAL && fake.posts.length >= TOTAL, {
      timeoutMs: 20_000,
      what: `${TOTAL} replies posted`,
    });
    const results = await Promise.all(replies);
    await sleep(300);

    const inbound = context.received.map((m) => m.text);
    expect(inbound).toHaveLength(TOTAL);
    expect(new Set(inbound).size).toBe(TOTAL);
    const posted = fake.posts.map((p) => p.text);
    expect(posted).toHaveLength(TOTAL);
    expect(new Set(posted).size).toBe(TOTAL);
    expect(results.every((r) => r.ok)).toBe(true);
    for (let i = 0; i < TOTAL; i++) expect(posted).toContain(`re: burst message ${i}`);

    // The chaos really happened: sockets died and events were sent again.
    expect(drops).toBeGreaterThanOrEqual(5);
    expect(fake.connectionCount).toBeGreaterThanOrEqual(drops + 1);
    expect(fake.envelopes.some((e) => e.retryAttempt > 0)).toBe(true);
    expect(context.statuses.filter((s) => s === 'reconnecting').length).toBeGreaterThanOrEqual(1);
    expect(context.statuses.at(-1)).toBe('online');
  }, 90_000);
});
