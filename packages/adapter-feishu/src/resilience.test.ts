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
 * The fake pushes `total` DMs from 100 users while another loop cuts the long connection at random
 * moments (and now and then writes garbage frames); an echo bot replies to each message.
 */
async function exchange(r: Rig, total: number, seed: number) {
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
  let garbage = 0;
  const chaos = (async () => {
    while (delivering) {
      await sleep(20 + random() * 120);
      if (!delivering) break;
      if (random() < 0.2) garbage += r.fake.deliverRawBytes(Buffer.from([0x08, 0x96, 0x01, 0xff]));
      r.fake.dropConnections(random() < 0.5 ? 'terminate' : 'close');
      drops++;
    }
  })();
  for (let i = 0; i < total; i++) {
    await r.fake.deliverDm(`m${i}`, {
      fromUserId: `ou_user${i % 100}`,
      chatId: `oc_chat${i % 100}`,
      messageId: `om_x${i}`,
    });
    if (i % 20 === 19) await sleep(40 * random());
  }
  delivering = false;
  await chaos;
  await waitFor(() => r.fake.unacked === 0, { timeoutMs: 30_000, what: 'every event to be acked' }).catch(
    (e: unknown) => {
      const logs = r.context.logger.entries
        .filter((x) => x.level !== 'debug')
        .map((x) => `${x.level} ${x.msg}`);
      throw new Error(
        `${String(e)}; unacked ${r.fake.unacked}, received ${r.context.received.length}, sockets ${r.fake.server.sockets.size}, connections ${r.fake.connections}, statuses ${r.context.statuses.slice(-5).join(',')}; logs: ${logs.slice(-15).join(' | ')}`,
      );
    },
  );
  await waitFor(() => results.size === r.context.received.length && results.size >= total, {
    timeoutMs: 30_000,
    what: 'every received message to get its reply result',
  });
  await Promise.all(pending);
  return { results, drops, garbage };
}

describe('feishu long connection under random drops', () => {
  it('1,000 messages with the connection cut at random points: zero lost, zero duplicated, every reply once', async () => {
    rig = await startRig({ textBatching: false, globalSendsPerSecond: 1000 });
    const { results, drops } = await exchange(rig, 1000, 20261206);
    expect(drops).toBeGreaterThanOrEqual(5);
    const received = rig.context.received.map((m) => m.text);
    expect(new Set(received).size, 'no message reached the host twice').toBe(received.length);
    expect(received.length, 'no message was lost').toBe(1000);
    const failed = [...results].filter(([, r]) => !r.ok);
    expect(failed, 'every reply succeeded').toEqual([]);
    const replies = rig.fake.sentMessages().map((m) => m.text);
    expect(new Set(replies).size, 'no reply landed twice').toBe(replies.length);
    expect(replies.length).toBe(1000);
    expect(rig.fake.server.sockets.size, 'one connection at a time').toBeLessThanOrEqual(1);
  }, 90_000);

  it('garbage frames are logged and survived', async () => {
    rig = await startRig({ textBatching: false });
    rig.fake.deliverRawBytes(Buffer.from('definitely not protobuf'));
    rig.fake.deliverEvent('{"schema":"2.0","header":{');
    await waitFor(
      () => rig!.context.logger.find('error').length + rig!.context.logger.find('warn').length >= 2,
      {
        timeoutMs: 5_000,
        what: 'both bad frames to be logged',
      },
    );
    await rig.fake.deliverDm('still here');
    await rig.context.waitForReceived((m) => m.text === 'still here', 5_000);
    expect(rig.context.statuses).not.toContain('failed');
  });
});
