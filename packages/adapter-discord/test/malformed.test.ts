import { sleep } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type DiscordTestRig, startRig } from './support.js';

describe('malformed input from the gateway', () => {
  let rig: DiscordTestRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('each kind is logged, none becomes a message, and the adapter keeps serving', async () => {
    rig = await startRig();
    const { fake, context } = rig;
    const dm = fake.ids.dms.alice;
    const now = new Date().toISOString();
    const errorsBefore = context.logger.find('error').length;

    // Dispatches discord.js would turn into broken Messages or throw on (dropped by the guard).
    fake.dispatch('MESSAGE_CREATE', {
      id: '1300000000000000001',
      channel_id: dm,
      content: 'no author',
      timestamp: now,
    });
    fake.dispatch('MESSAGE_CREATE', null);
    fake.dispatch('MESSAGE_CREATE', {
      id: 'not-a-snowflake',
      channel_id: dm,
      author: { id: fake.ids.users.alice, username: 'alice' },
      content: 'bad id',
      timestamp: now,
    });
    fake.dispatch('MESSAGE_CREATE', {
      id: '1300000000000000002',
      channel_id: dm,
      author: { id: fake.ids.users.alice, username: 'alice' },
      content: 'bad attachments',
      timestamp: now,
      attachments: 'nope',
    });
    // Payloads that pass the guard but make discord.js throw in its handlers (plain discord.js 14.28 exits
    // the process on these: the exception escapes as an unhandled rejection).
    fake.dispatch('USER_UPDATE', {});
    fake.dispatch('GUILD_MEMBER_UPDATE', { guild_id: fake.ids.guild });
    // Frames that are not gateway payloads at all.
    fake.sendRaw('this is not json {');
    fake.sendRaw(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    fake.sendRaw({ hello: 'no op field' });
    fake.sendRaw({ op: 0, t: null, s: null, d: {} });

    fake.postMessage({ channelId: dm, content: 'still alive' });
    await context.waitForReceived((m) => m.text === 'still alive', 5_000);
    await sleep(200);

    const errors = context.logger
      .find('error')
      .slice(errorsBefore)
      .map((e) => String(e.fields['problem'] ?? e.fields['error']));
    expect(errors.filter((e) => e.includes('MESSAGE_CREATE'))).toHaveLength(4);
    expect(errors.some((e) => e.includes('without an event name'))).toBe(true);
    expect(context.logger.find('error', 'discord.js failed on a gateway event').length).toBe(2);
    expect(context.logger.find('warn', 'not a gateway payload').length).toBe(3);
    expect(context.received.map((m) => m.text)).toEqual(['still alive']);
    expect(context.statuses).not.toContain('failed');
    expect(context.statuses.at(-1)).toBe('online');
  });

  it('garbage REST answers fail the send with an error, nothing is resent', async () => {
    rig = await startRig();
    const { fake, adapter } = rig;
    fake.faults.next({ kind: 'garbage' }, { match: { method: 'POST' } });
    const result = await adapter.send(
      { platform: 'discord', chatId: fake.ids.channels.general, chatType: 'group' },
      { text: 'x' },
    );
    expect(result.ok).toBe(false);
    const posts = fake.requests.filter((r) => r.method === 'POST' && r.route?.endsWith('/messages'));
    expect(posts).toHaveLength(1);
  });
});
