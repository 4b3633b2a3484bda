import { sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNEL, DM, type SlackTestRig, startRig, USER } from './harness.js';

let rig: SlackTestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const texts = (r: SlackTestRig, token: string) => r.context.received.filter((m) => m.text.includes(token));

describe('slack redelivery and duplicate events', () => {
  it('acknowledges every envelope, and a redelivered event (new envelope id, retry_attempt 1) is handled once', async () => {
    rig = await startRig();
    const { fake, context } = rig;
    const delivery = fake.message({ channel: DM, text: 'redeliver me r1' });
    await delivery.done;
    expect(fake.redeliver(delivery.key, 'timeout')).toBe(true);
    expect(fake.redeliver(delivery.key, 'timeout')).toBe(true);
    await waitFor(() => fake.acks.filter((a) => a.key === delivery.key).length === 3, {
      timeoutMs: 5_000,
      what: 'three acks',
    });
    const attempts = fake.envelopes.filter((e) => e.key === delivery.key).map((e) => e.retryAttempt);
    expect(attempts).toEqual([0, 1, 2]);
    expect(new Set(fake.envelopes.filter((e) => e.key === delivery.key).map((e) => e.envelopeId)).size).toBe(
      3,
    );
    await sleep(200);
    expect(texts(rig, 'redeliver me r1')).toHaveLength(1);
    expect(rig.adapter.stats().intake?.duplicates).toBe(2);
    expect(context.logger.find('error')).toHaveLength(0);
  });

  it('an event whose ack never arrived in time is redelivered by the fake and still handled once', async () => {
    rig = await startRig({ fake: { ackTimeoutMs: 300 } });
    const { fake } = rig;
    // Stop acknowledging by cutting the socket right after the event was written: the copy comes on the next socket.
    const delivery = fake.message({ channel: DM, text: 'cut after send r2' });
    fake.dropSockets();
    await delivery.done;
    await sleep(300);
    const copies = fake.envelopes.filter((e) => e.key === delivery.key);
    expect(copies.length).toBeGreaterThanOrEqual(2);
    expect(copies.at(-1)!.retryReason).toBe('connection_lost');
    expect(texts(rig, 'cut after send r2')).toHaveLength(1);
  });

  it('a mention delivered as message + app_mention (same ts) is received once and answered once', async () => {
    rig = await startRig();
    const { fake, adapter, context } = rig;
    const pair = fake.mention({ channel: CHANNEL, text: 'what is up m1' });
    await Promise.all(pair.map((d) => d.done));
    const msg = await context.waitForReceived((m) => m.text === 'what is up m1', 5_000);
    await sleep(200);
    expect(texts(rig, 'what is up m1')).toHaveLength(1);
    expect(msg.mentionsBot).toBe(true);
    const result = await adapter.send(msg.chat, { text: 'answer m1' });
    expect(result.ok).toBe(true);
    expect(fake.posts.filter((p) => p.text.includes('answer m1'))).toHaveLength(1);
  });

  it('the app_mention arriving before the message is deduplicated the same way', async () => {
    rig = await startRig();
    const { fake } = rig;
    const ts = '1700000123.000200';
    fake.mention({ channel: CHANNEL, text: 'reversed m2', ts }, { only: 'app_mention' });
    fake.mention({ channel: CHANNEL, text: 'reversed m2', ts }, { only: 'message' });
    await waitFor(() => fake.unacked.length === 0 && fake.acks.length >= 2, {
      timeoutMs: 5_000,
      what: 'both acked',
    });
    await sleep(200);
    expect(texts(rig, 'reversed m2')).toHaveLength(1);
  });

  it('the same event id is deduplicated across stop() and start() of one adapter instance', async () => {
    rig = await startRig();
    const { fake, adapter, context } = rig;
    const delivery = fake.message({ channel: DM, text: 'survives restart r3', user: USER });
    await delivery.done;
    await adapter.stop();
    await adapter.start(context.ctx);
    fake.redeliver(delivery.key, 'connection_lost');
    await waitFor(() => fake.acks.filter((a) => a.key === delivery.key).length === 2, {
      timeoutMs: 5_000,
      what: 'second ack',
    });
    expect(texts(rig, 'survives restart r3')).toHaveLength(1);
  });
});
