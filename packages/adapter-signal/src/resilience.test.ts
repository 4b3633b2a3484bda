import { seededRandom } from '@hermes/adapter-core';
import { sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createSignalAdapter } from './adapter.js';
import { type Rig, startRig } from './test-support.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('signal: SSE drops, stale streams and bad events', () => {
  it('1,000-message exchange with random SSE drops: every message received once and answered once', {
    timeout: 45_000,
  }, async () => {
    rig = await startRig();
    const { fake, adapter, context } = rig;
    const replies: Array<Promise<unknown>> = [];
    await adapter.start({
      ...context.ctx,
      receive: (msg) => {
        context.ctx.receive(msg);
        replies.push(adapter.send(msg.chat, { text: `re: ${msg.text}`, replyTo: msg.id }));
      },
    });
    const random = seededRandom(12_345);
    const total = 1_000;
    let drops = 0;
    for (let i = 0; i < total; i += 1) {
      await fake.deliverDm(`message ${i}`, { from: `+1555000${3000 + (i % 10)}` });
      if (random() < 0.015 && fake.openStreams > 0) {
        fake.dropStreams();
        drops += 1;
      }
      if (i % 25 === 0) await sleep(1);
    }
    await waitFor(() => context.received.length >= total, {
      timeoutMs: 30_000,
      what: `${total} messages to reach ctx.receive`,
    });
    await waitFor(() => fake.sentMessages().length >= total, { timeoutMs: 30_000, what: `${total} replies` });
    await sleep(300);

    const texts = context.received.map((m) => m.text);
    expect(new Set(texts).size, 'no message lost').toBe(total);
    expect(texts.length, 'no message delivered twice').toBe(total);
    const sent = fake.sentMessages();
    expect(sent.length, 'no reply sent twice').toBe(total);
    expect(new Set(sent.map((m) => m.text)).size).toBe(total);
    // Each reply quotes the message it answers, by Signal's (timestamp, author) pair.
    const byText = new Map(context.received.map((m) => [m.text, m]));
    for (const reply of sent) {
      const original = byText.get(reply.text!.replace(/^re: /, ''));
      expect(reply.replyTo).toBe(original?.id);
    }
    expect(drops, 'the seed must produce drops').toBeGreaterThanOrEqual(3);
    expect(fake.totalStreams, 'the adapter reconnected after every drop').toBeGreaterThanOrEqual(drops + 1);
    // The fake rewinds after a drop; the overlap reached the adapter and was removed by its dedupe.
    expect(adapter.stats().duplicates).toBeGreaterThan(0);
  });

  it('a stream that goes silent (no event, no keepalive) is reconnected after staleAfterMs', async () => {
    rig = await startRig({ staleAfterMs: 300, healthCheckIntervalMs: 60_000 }, { keepAliveMs: 0 });
    const { fake, adapter, context } = rig;
    await adapter.start(context.ctx);
    fake.setSilent(true);
    await waitFor(() => fake.totalStreams >= 2, { timeoutMs: 5_000, what: 'a second event stream' });
    expect(context.statuses).toContain('reconnecting');
    expect(context.logger.find('warn').some((e) => /no activity|stale|silent/i.test(e.msg))).toBe(true);
    fake.setSilent(false);
    await fake.deliverDm('after the silence');
    await context.waitForReceived((m) => m.text === 'after the silence', 5_000);
  });

  it("the daemon's keepalive comments keep a quiet stream alive", async () => {
    rig = await startRig({ staleAfterMs: 400, healthCheckIntervalMs: 60_000 }, { keepAliveMs: 100 });
    const { fake, adapter, context } = rig;
    await adapter.start(context.ctx);
    await sleep(1_500);
    expect(fake.totalStreams, 'no reconnect while keepalives arrive').toBe(1);
    expect(context.statuses).not.toContain('reconnecting');
  });

  it('a failed health check reconnects; a healthy one counts as a heartbeat', async () => {
    rig = await startRig({ healthCheckIntervalMs: 100 });
    const { fake, adapter, context } = rig;
    await adapter.start(context.ctx);
    const before = adapter.liveness().lastHeartbeatAt ?? 0;
    await waitFor(() => (adapter.liveness().lastHeartbeatAt ?? 0) > before, {
      timeoutMs: 3_000,
      what: 'a health check to count as a heartbeat',
    });
    fake.server.faults.next({ kind: 'status', status: 503 }, 1, { method: 'GET', path: '/api/v1/check' });
    await waitFor(() => fake.totalStreams >= 2, {
      timeoutMs: 5_000,
      what: 'a reconnect after the failed check',
    });
    expect(context.logger.find('warn').some((e) => /health check failed/.test(e.msg))).toBe(true);
    await fake.deliverDm('still here');
    await context.waitForReceived((m) => m.text === 'still here', 5_000);
    expect(context.statuses).not.toContain('failed');
  });

  it('malformed events are logged and dropped; the stream and later messages go on', async () => {
    rig = await startRig();
    const { fake, adapter, context } = rig;
    await adapter.start(context.ctx);
    await fake.deliverMalformed();
    await fake.deliverRaw('[1,2,3]');
    await fake.deliverRaw(
      JSON.stringify({
        account: fake.account,
        exception: { message: 'bad mac', type: 'ProtocolInvalidMessageException' },
      }),
    );
    await fake.deliverDm('valid after garbage');
    await context.waitForReceived((m) => m.text === 'valid after garbage', 5_000);
    expect(context.received).toHaveLength(1);
    expect(adapter.stats().malformed).toBe(5);
    const problems = context.logger.find('warn').map((e) => JSON.stringify(e));
    expect(problems.some((p) => p.includes('not JSON'))).toBe(true);
    expect(problems.some((p) => p.includes('envelope.sourceNumber is number, expected a string'))).toBe(true);
    expect(problems.some((p) => p.includes('ProtocolInvalidMessageException'))).toBe(true);
    expect(fake.totalStreams, 'bad events must not cost the connection').toBe(1);
  });

  it('start() fails at once, naming SIGNAL_ACCOUNT, when the daemon does not know the account', async () => {
    rig = await startRig({ account: '+15559999999' });
    const { adapter, context } = rig;
    await expect(adapter.start(context.ctx)).rejects.toMatchObject({
      code: 'config_invalid',
      fix: expect.stringContaining('SIGNAL_ACCOUNT'),
    });
    expect(context.statuses).toContain('failed');
  });

  it('probe() names the account and its service id without starting; an absent daemon gets a fix', async () => {
    rig = await startRig();
    const { fake, adapter } = rig;
    await expect(adapter.probe()).resolves.toMatchObject({
      ok: true,
      identity: `${fake.account} (${fake.accountUuid})`,
    });
    expect(fake.totalStreams, 'probe() opens no event stream').toBe(0);
    const url = fake.url;
    await fake.close();
    const down = await createSignalAdapter({ httpUrl: url, account: fake.account }).probe();
    expect(down).toMatchObject({
      ok: false,
      error: { code: 'network' },
      fix: expect.stringContaining('daemon --http'),
    });
  });
});
