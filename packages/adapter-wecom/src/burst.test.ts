import type { InboundMessage } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Rig, sleep, startRig } from './test-support.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/**
 * The fake pushes `rate` callbacks per second for `seconds` from `users` users; a bot that takes
 * `agentDelayMs` to think answers every message it is handed. Returns how the replies went out.
 */
async function burst(r: Rig, o: { rate: number; seconds: number; users: number; agentDelayMs: number }) {
  const replies: Promise<unknown>[] = [];
  r.context.ctx.receive = (msg: InboundMessage) => {
    r.context.received.push(msg);
    replies.push(
      sleep(o.agentDelayMs).then(() =>
        r.adapter.send(msg.chat, { text: `re: ${msg.text}`, replyTo: msg.id }),
      ),
    );
  };
  const total = o.rate * o.seconds;
  const perTick = o.rate / 100;
  const started = Date.now();
  for (let sent = 0; sent < total; ) {
    // Catch up to the schedule every 10 ms, so the rate holds even when a tick runs late.
    const due = Math.min(total, Math.floor(((Date.now() - started) / 10 + 1) * perTick));
    for (; sent < due; sent++)
      r.fake.deliverText(`n${sent}`, { from: `u${sent % o.users}`, msgid: `id${sent}` });
    await sleep(10);
  }
  await r.fake.waitUntil(() => r.fake.queued === 0, 10_000, 'the fake to write every callback');
  await r.fake.waitUntil(
    () => r.context.received.reduce((n, m) => n + m.text.split('\n').length, 0) === total,
    15_000,
    'every callback to reach the host',
  );
  await Promise.all(replies);
  return { total, messages: r.context.received.length, stats: r.adapter.stats() };
}

describe('reply tokens under a 2,500 callbacks/s burst with text batching on', () => {
  it('every reply goes passively and none is lost, while the agent takes a second per message', async () => {
    rig = await startRig({ textBatchDelayMs: 600, requestTimeoutMs: 10_000 });
    const { total, messages, stats } = await burst(rig, {
      rate: 2_500,
      seconds: 3,
      users: 1_500,
      agentDelayMs: 1_000,
    });
    expect(total).toBe(7_500);
    expect(stats.send).toEqual({ passive: messages, proactive: 0, staleTokenFallbacks: 0 });
    expect(stats.replyTokens.pendingEvicted).toBe(0);
    expect(stats.replyTokens.pending).toBe(0);
    // Every callback's text is in exactly one accepted reply.
    const answered = rig.fake.replies
      .filter((r) => r.errcode === 0)
      .flatMap((r) => String(r.content).replace(/^re: /, '').split('\n'));
    expect(answered.length).toBe(total);
    expect(new Set(answered).size).toBe(total);
    // Batching merged some of them (users repeat within the 0.6 s window).
    expect(messages).toBeLessThan(total);
  }, 60_000);
});
