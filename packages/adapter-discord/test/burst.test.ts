import { sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type DiscordTestRig, startRig } from './support.js';

/** Seeded, so a failing run can be repeated exactly. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('500-message burst with the gateway dropped at random points', () => {
  let rig: DiscordTestRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('loses nothing and duplicates nothing, inbound and outbound', async () => {
    rig = await startRig();
    const { fake, adapter, context } = rig;
    // Each RESUME also replays 40 dispatches the client had already acknowledged. discord.js itself drops
    // repeats still in its small message cache; the older ones reach the adapter, whose dedupe must absorb them.
    fake.setReplayOverlap(40);
    const random = seeded(4242);
    const total = 500;
    const dropsAt = new Set<number>();
    while (dropsAt.size < 8) dropsAt.add(1 + Math.floor(random() * (total - 2)));

    // The bot answers every message it receives while the burst and the drops go on.
    const replies: Promise<unknown>[] = [];
    let answered = 0;
    const answer = setInterval(() => {
      for (; answered < context.received.length; answered += 1) {
        const msg = context.received[answered]!;
        replies.push(adapter.send(msg.chat, { text: `re: ${msg.text}`, replyTo: msg.id }));
      }
    }, 5);

    try {
      for (let i = 0; i < total; i += 1) {
        fake.postMessage({ channelId: fake.ids.dms.alice, content: `burst ${i}` });
        if (dropsAt.has(i)) {
          // Each drop hits a live session (a drop while already disconnected would test nothing).
          await fake.waitForSession(10_000);
          expect(fake.dropConnection()).toBe(1);
        }
        if (random() < 0.1) await sleep(Math.floor(random() * 40));
      }
      await waitFor(() => context.received.length >= total, {
        timeoutMs: 60_000,
        what: `all ${total} messages to arrive (have ${context.received.length})`,
      });
      await sleep(500);
    } finally {
      clearInterval(answer);
    }
    for (; answered < context.received.length; answered += 1) {
      const msg = context.received[answered]!;
      replies.push(adapter.send(msg.chat, { text: `re: ${msg.text}`, replyTo: msg.id }));
    }
    const results = (await Promise.all(replies)) as Array<{ ok: boolean }>;

    const texts = context.received.map((m) => m.text);
    expect(texts).toHaveLength(total);
    expect(new Set(texts).size).toBe(total);
    for (let i = 0; i < total; i += 1) expect(texts).toContain(`burst ${i}`);
    expect(fake.gateway.resumes).toBeGreaterThanOrEqual(dropsAt.size);
    expect(fake.gateway.identifies).toBe(1);

    expect(results.every((r) => r.ok)).toBe(true);
    const sent = fake.botMessages();
    expect(sent).toHaveLength(total);
    expect(new Set(sent.map((m) => m.replyTo)).size).toBe(total);
    expect(context.logger.find('info', 'delivered again').length).toBeGreaterThan(0);
  }, 90_000);
});
