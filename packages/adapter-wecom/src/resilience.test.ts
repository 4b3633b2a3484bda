import { type InboundMessage, type SendResult, seededRandom } from '@hermes/adapter-core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Rig, sleep, startRig } from './test-support.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

interface Exchange {
  results: Map<string, SendResult>;
  drops: number;
}

/**
 * The fake delivers `total` DMs from 25 users while another loop drops the server side of the socket at
 * random moments; an echo bot answers each one, passively when it can.
 */
async function runExchange(
  r: Rig,
  total: number,
  mode: 'close' | 'terminate',
  seed: number,
): Promise<Exchange> {
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
      r.fake.dropConnections(mode);
      drops++;
    }
  })();
  // 50 bursts over about two seconds, so that drops land before, during and after bursts.
  for (let i = 0; i < total; i++) {
    r.fake.deliverText(`m${i}`, { from: `user${i % 25}`, msgid: `msg-${i}` });
    if (i % 20 === 19) await sleep(40 * random());
  }
  await r.fake.waitUntil(() => r.fake.queued === 0, 20_000, 'every callback to be written to a socket');
  delivering = false;
  await dropper;
  // Everything the fake wrote before its last drop must reach the host, and each reply must settle.
  // Settled: every received message has its send() result, and nothing new arrived for 300 ms.
  let seen = -1;
  let quietSince = Date.now();
  await r.fake.waitUntil(
    () => {
      if (r.context.received.length !== seen) {
        seen = r.context.received.length;
        quietSince = Date.now();
      }
      return results.size === seen && Date.now() - quietSince > 300;
    },
    20_000,
    'every received message to get its send() result',
  );
  await Promise.all(pending);
  return { results, drops };
}

describe('server drops during a 1,000-message exchange', () => {
  it('graceful closes at random points: zero lost, zero duplicated', async () => {
    rig = await startRig({ textBatching: false, requestTimeoutMs: 3_000 });
    const { results, drops } = await runExchange(rig, 1000, 'close', 20261125);
    expect(drops).toBeGreaterThanOrEqual(5);

    const received = rig.context.received.map((m) => m.text);
    expect(new Set(received).size).toBe(received.length);
    const logs = rig.context.logger.entries
      .filter((e) => e.level !== 'debug')
      .map((e) => e.msg.replace(/\d+/g, 'N'));
    const tally = new Map<string, number>();
    for (const m of logs) tally.set(m, (tally.get(m) ?? 0) + 1);
    const counts = [...tally].map(([m, n]) => `${n}× ${m}`);
    expect(
      received.length,
      `inbound lost; fake subscriptions ${rig.fake.subscriptions.length}; log: ${counts.join(' | ')}`,
    ).toBe(1000);

    const accepted = rig.fake.replies.filter((r) => r.errcode === 0).map((r) => r.content);
    expect(new Set(accepted).size, 'no reply landed twice').toBe(accepted.length);
    const landed = new Set(accepted);
    const missing = [...results].filter(([text]) => !landed.has(`echo ${text}`));
    const explain = missing.slice(0, 5).map(([text, result]) => ({
      text,
      result,
      attempts: rig!.fake.replies
        .filter((r) => r.content === `echo ${text}`)
        .map((r) => [r.via, r.errcode, r.connection]),
      frames: rig!.fake.frames
        .filter((f) => JSON.stringify(f.body).includes(`"echo ${text}"`))
        .map((f) => [f.cmd, f.connection]),
    }));
    expect(accepted.length, `every message got its reply; missing: ${JSON.stringify(explain)}`).toBe(1000);
    const failed = [...results.values()].filter((r) => !r.ok);
    // A reply written just before the close gets no answer (ambiguous) yet WeCom processed it: the
    // adapter reports it and does not resend, and the fake shows it landed exactly once.
    for (const f of failed) expect(f).toMatchObject({ ok: false, error: { code: 'timeout_ambiguous' } });
    const stats = rig.adapter.stats().send;
    expect(stats.passive + stats.proactive + failed.length).toBe(1000);
  }, 60_000);

  it('abrupt TCP cuts: zero duplicated, and every reply that did not land was reported as failed', async () => {
    rig = await startRig({ textBatching: false, requestTimeoutMs: 3_000 });
    const { results } = await runExchange(rig, 1000, 'terminate', 7);
    const received = rig.context.received.map((m) => m.text);
    expect(new Set(received).size, 'no message reached the host twice').toBe(received.length);
    const accepted = rig.fake.replies.filter((r) => r.errcode === 0).map((r) => String(r.content));
    expect(new Set(accepted).size, 'no reply landed twice').toBe(accepted.length);
    const landed = new Set(accepted);
    for (const [text, result] of results) {
      if (!landed.has(`echo ${text}`))
        expect(result.ok, `reply to ${text} was lost but send() said ok`).toBe(false);
    }
  }, 60_000);
});
