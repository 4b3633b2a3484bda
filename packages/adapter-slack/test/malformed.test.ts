import { sleep, waitFor } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { DM, type SlackTestRig, startRig, USER } from './harness.js';

let rig: SlackTestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('slack malformed input', () => {
  it('garbage frames and broken envelopes are logged, acknowledged when they can be, and survived', async () => {
    rig = await startRig();
    const { fake, context } = rig;
    const warnsBefore = context.logger.find('warn').length;
    fake.sendRaw('{not json');
    fake.sendRaw('[1,2,3]');
    fake.sendRaw(Buffer.from([0, 1, 2, 3]));
    fake.sendRaw({ envelope_id: 'raw-unknown-type', type: 'not_a_slack_type', payload: {} });
    // Without the guard, @slack/socket-mode 3.1 throws inside an async listener here: an unhandled rejection.
    fake.sendRaw({ envelope_id: 'raw-no-event', type: 'events_api', payload: {} });
    fake.sendRaw({ envelope_id: 'raw-null-payload', type: 'events_api', payload: null });
    // The SDK re-emits events under their type; this one would have looked like a dropped connection.
    fake.sendRaw({
      envelope_id: 'raw-reserved',
      type: 'events_api',
      payload: { event: { type: 'disconnected' } },
    });
    fake.sendRaw({ envelope_id: 'raw-slash', type: 'slash_commands' });
    fake.event({ type: 'message', channel: DM, user: USER, text: 'no ts' });
    fake.event({ type: 'message', channel: DM, user: USER, ts: '1700000900.000100', text: 42 });
    fake.event({ type: 'message', channel: 12, user: USER, ts: '1700000900.000200', text: 'bad channel' });
    fake.slashCommand({ command: '/hermes', text: 'ok', channel: DM, user: '' });
    fake.message({ channel: DM, text: 'valid after the garbage' });

    await context.waitForReceived((m) => m.text === 'valid after the garbage', 5_000);
    await waitFor(() => fake.unacked.length === 0, { timeoutMs: 5_000, what: 'every event acknowledged' });
    await sleep(200);
    expect(context.received.map((m) => m.text)).toEqual(['valid after the garbage']);
    const warns = context.logger.find('warn').slice(warnsBefore);
    expect(warns.length).toBeGreaterThanOrEqual(12);
    expect(warns.some((w) => w.msg.includes('not JSON'))).toBe(true);
    expect(warns.some((w) => w.msg.includes('malformed events_api envelope'))).toBe(true);
    for (const id of ['raw-unknown-type', 'raw-no-event', 'raw-null-payload', 'raw-reserved', 'raw-slash']) {
      expect(
        fake.strayFrames.some((f) => f.includes(`"envelope_id":"${id}"`)),
        `ack of ${id}`,
      ).toBe(true);
    }
    expect(context.statuses).not.toContain('failed');
    expect(fake.connectionCount).toBe(1);
    expect(rig.adapter.stats().intake?.malformed).toBeGreaterThanOrEqual(4);
  });

  it('a host receive() that throws is logged and the envelope is still acknowledged', async () => {
    rig = await startRig();
    const { fake, adapter, context } = rig;
    await adapter.stop();
    let calls = 0;
    await adapter.start({
      ...context.ctx,
      receive: () => {
        calls += 1;
        throw new Error('host blew up');
      },
    });
    const delivery = fake.message({ channel: DM, text: 'boom' });
    await delivery.done;
    expect(calls).toBe(1);
    expect(context.logger.find('error', 'handling an envelope failed')).toHaveLength(1);
  });
});
