import { type InboundMessage, type SendResult, seededRandom } from '@hermes/adapter-core';
import { waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type Rig, sleep, startRig } from './test-support.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/**
 * The fake pushes `total` DMs from 25 users in bursts while another loop cuts the Stream socket at random
 * moments; an echo bot answers each message it is handed through its session webhook.
 */
async function runExchange(r: Rig, total: number, mode: 'close' | 'terminate', seed: number) {
  const random = seededRandom(seed);
  const results = new Map<string, SendResult>();
  const pending: Promise<void>[] = [];
  r.context.ctx.receive = (msg: InboundMessage) => {
    r.context.received.push(msg);
    pending.push(
      r.adapter.send(msg.chat, { text: `echo ${msg.text}`, replyTo: msg.id }).then((result) => {
        results.set(msg.text, result);
      }),
    );
  };
  let delivering = true;
  let drops = 0;
  const dropper = (async () => {
    while (delivering) {
      await sleep(20 + random() * 120);
      if (!delivering) break;
      if (r.fake.dropConnections(mode) > 0) drops++;
    }
  })();
  for (let i = 0; i < total; i++) {
    await r.fake.deliverDm(`m${i}`, { staffId: `user${i % 25}`, msgId: `msg-${i}` });
    if (i % 20 === 19) await sleep(40 * random());
  }
  delivering = false;
  await dropper;
  await waitFor(() => r.fake.streamStats().unacked === 0, {
    timeoutMs: 30_000,
    what: 'every callback to be acknowledged',
  });
  await waitFor(() => results.size === r.context.received.length, {
    timeoutMs: 30_000,
    what: 'every received message to get its send() result',
  });
  await Promise.all(pending);
  return { results, drops };
}

describe('Stream drops during a 1,000-message exchange', () => {
  for (const [mode, seed] of [
    ['terminate', 20261206],
    ['close', 7],
  ] as const) {
    it(`${mode} at random points: zero lost, zero duplicated, every reply lands once`, async () => {
      rig = await startRig({}, { users: Array.from({ length: 25 }, (_, i) => `user${i}`) });
      const { results, drops } = await runExchange(rig, 1000, mode, seed);
      expect(drops).toBeGreaterThanOrEqual(5);
      const received = rig.context.received.map((m) => m.text);
      expect(new Set(received).size, 'no message reached the host twice').toBe(received.length);
      expect(received.length, 'no message was lost').toBe(1000);
      // The cuts made DingTalk push unacknowledged callbacks again; dedupe absorbed them.
      expect(rig.fake.streamStats().redelivered).toBeGreaterThan(0);
      const failed = [...results].filter(([, r]) => !r.ok);
      expect(failed, 'every send() succeeded').toEqual([]);
      const landed = rig.fake.sentMessages().map((m) => m.text);
      expect(new Set(landed).size, 'no reply landed twice').toBe(landed.length);
      expect(landed.length).toBe(1000);
      expect(rig.fake.sends.every((s) => s.route === 'webhook')).toBe(true);
    }, 60_000);
  }
});
