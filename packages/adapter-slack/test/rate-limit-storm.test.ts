import type { ChatRef, SendResult } from '@hermes/adapter-core';
import { seededRandom } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type SlackTestRig, startRig } from './harness.js';

let rig: SlackTestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const CHANNELS = ['C0STORM1', 'C0STORM2', 'C0STORM3'];
const PER_CHANNEL = 20;

describe('slack 429 storm', () => {
  it('delivers every message once, in order per channel, each retry after Retry-After', async () => {
    rig = await startRig({ fake: { random: seededRandom(429) } });
    const { fake, adapter } = rig;
    fake.faults.storm({ methods: ['chat.postMessage'], probability: 0.3, retryAfterSeconds: 1 });
    const sends: Array<Promise<SendResult>> = [];
    for (let i = 0; i < PER_CHANNEL; i++) {
      for (const channel of CHANNELS) {
        const chat: ChatRef = { platform: 'slack', chatId: channel, chatType: 'channel' };
        sends.push(adapter.send(chat, { text: `${channel} message ${i}` }));
      }
    }
    const results = await Promise.all(sends);
    fake.faults.calm();
    expect(results.filter((r) => !r.ok)).toEqual([]);

    const limited = fake.requests.filter((r) => r.method === 'chat.postMessage' && r.fault === 'rate-limit');
    expect(limited.length, 'the storm must actually have rate-limited some sends').toBeGreaterThan(5);
    for (const channel of CHANNELS) {
      const texts = fake.postsIn(channel).map((p) => p.text);
      expect(texts).toEqual(Array.from({ length: PER_CHANNEL }, (_, i) => `${channel} message ${i}`));
      // After a 429 on a channel nothing reaches Slack for that channel until Retry-After has passed.
      const calls = fake.requests.filter(
        (r) => r.method === 'chat.postMessage' && r.params['channel'] === channel,
      );
      calls.forEach((call, i) => {
        const next = calls[i + 1];
        if (call.fault === 'rate-limit' && next)
          expect(next.receivedAt - call.receivedAt).toBeGreaterThanOrEqual(950);
      });
    }
    // The channels were paced independently: a pause on one did not hold the others back.
    const total = fake.requests.filter((r) => r.method === 'chat.postMessage');
    const span = total.at(-1)!.receivedAt - total[0]!.receivedAt;
    expect(span).toBeLessThan(limited.length * 1000);
  }, 60_000);
});
