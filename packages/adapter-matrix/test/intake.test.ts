import { AdapterError } from '@hermes/adapter-core';
import { sleep } from '@hermes/adapter-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type MatrixTimelineEnvelope, mapMatrixInbound } from '../src/index.js';
import { createHarness, type MatrixHarness } from './harness.js';

const BOT = '@hermes:example.org';
const context = (requireMention = true) => ({
  botUserId: BOT,
  requireMention,
  attachment: () => {
    throw new AdapterError('unsupported', 'no media in these tests');
  },
  now: () => new Date(),
});
const envelope = (
  content: Record<string, unknown>,
  o: Partial<MatrixTimelineEnvelope> = {},
): MatrixTimelineEnvelope => ({
  roomId: '!room:example.org',
  isDirect: false,
  botName: 'Hermes Agent',
  encrypted: false,
  event: {
    event_id: '$e1',
    sender: '@alice:example.org',
    type: 'm.room.message',
    origin_server_ts: 1,
    content,
  },
  ...o,
});
const text = (
  content: Record<string, unknown>,
  o?: Partial<MatrixTimelineEnvelope>,
  requireMention = true,
) => {
  const result = mapMatrixInbound(envelope(content, o), context(requireMention));
  return result.kind === 'message'
    ? { text: result.message.text, mentionsBot: result.message.mentionsBot }
    : result;
};

describe('matrix inbound mapping', () => {
  it('recognises a mention by pill, user id, display name or m.mentions, and strips it', () => {
    expect(
      text({
        msgtype: 'm.text',
        body: 'Hermes Agent: status?',
        formatted_body: `<a href="https://matrix.to/#/${BOT}">Hermes Agent</a>: status?`,
      }),
    ).toEqual({ text: 'status?', mentionsBot: true });
    expect(text({ msgtype: 'm.text', body: `${BOT} by id` })).toEqual({ text: 'by id', mentionsBot: true });
    expect(text({ msgtype: 'm.text', body: 'hey hermes agent, by name' })).toEqual({
      text: 'hey , by name',
      mentionsBot: true,
    });
    expect(text({ msgtype: 'm.text', body: 'intentional', 'm.mentions': { user_ids: [BOT] } })).toEqual({
      text: 'intentional',
      mentionsBot: true,
    });
  });

  it('does not take a longer word for the display name, and drops unaddressed group chatter', () => {
    expect(text({ msgtype: 'm.text', body: 'Hermes Agents are people too' })).toEqual({
      kind: 'ignored',
      reason: 'group message without a mention of the bot',
    });
    expect(text({ msgtype: 'm.text', body: 'chatter' }, {}, false)).toEqual({
      text: 'chatter',
      mentionsBot: false,
    });
  });

  it('a reply to the bot counts as addressing it; the quoted fallback is dropped from the text', () => {
    const result = text(
      {
        msgtype: 'm.text',
        body: '> <@hermes:example.org> earlier answer\n\nfollow-up question',
        'm.relates_to': { 'm.in_reply_to': { event_id: '$bot' } },
      },
      { replyTarget: { sender: BOT, body: 'earlier answer' } },
    );
    expect(result).toEqual({ text: 'follow-up question', mentionsBot: true });
  });

  it('ignores notices, edits, reactions and the bot itself; reports broken events as malformed', () => {
    expect(mapMatrixInbound(envelope({ msgtype: 'm.notice', body: 'from a bot' }), context()).kind).toBe(
      'ignored',
    );
    expect(
      mapMatrixInbound(
        envelope({
          msgtype: 'm.text',
          body: '* x',
          'm.relates_to': { rel_type: 'm.replace', event_id: '$a' },
        }),
        context(),
      ).kind,
    ).toBe('ignored');
    expect(
      mapMatrixInbound({ ...envelope({}), event: { ...envelope({}).event, type: 'm.reaction' } }, context())
        .kind,
    ).toBe('ignored');
    expect(
      mapMatrixInbound(
        {
          ...envelope({ msgtype: 'm.text', body: 'echo' }),
          event: { ...envelope({}).event, sender: BOT, content: { msgtype: 'm.text', body: 'x' } },
        },
        context(),
      ).kind,
    ).toBe('ignored');
    expect(mapMatrixInbound(envelope({ msgtype: 'm.text' }, { isDirect: true }), context())).toMatchObject({
      kind: 'malformed',
    });
    expect(mapMatrixInbound(envelope({}, { decryptionFailure: 'no room key' }), context())).toMatchObject({
      kind: 'malformed',
      problem: expect.stringContaining('no room key'),
    });
  });

  it('maps a thread message to threadId and keeps the reply target apart from the thread root', () => {
    const result = mapMatrixInbound(
      envelope(
        {
          msgtype: 'm.text',
          body: 'in thread',
          'm.relates_to': {
            rel_type: 'm.thread',
            event_id: '$root',
            is_falling_back: false,
            'm.in_reply_to': { event_id: '$other' },
          },
        },
        { isDirect: true },
      ),
      context(),
    );
    expect(result).toMatchObject({
      kind: 'message',
      message: { chat: { chatType: 'dm', threadId: '$root' }, replyTo: { id: '$other' } },
    });
  });
});

describe('matrix invites (fake homeserver)', () => {
  let h: MatrixHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('joins rooms an allowed user invites it to, and answers there', async () => {
    h = await createHarness();
    const { context: ctx } = await h.start();
    const roomId = h.fake.inviteBot(h.fake.alice);
    await waitUntil(() => h!.fake.world.room(roomId).members.has(h!.fake.botUserId));
    h.fake.deliverContent(roomId, h.fake.alice, { msgtype: 'm.text', body: 'Hermes: hi from the new room' });
    const msg = await ctx.waitForReceived((m) => m.text === 'hi from the new room', 5_000);
    expect(msg.chat).toMatchObject({ chatId: roomId, chatType: 'group' });
  });

  it('leaves invites from users who are not allowed pending', async () => {
    h = await createHarness();
    const { context: ctx } = await h.start();
    const roomId = h.fake.inviteBot('@mallory:fake.test');
    await waitUntil(() => ctx.logger.find('info').some((e) => e.msg.includes('not allowed')));
    await sleep(200);
    expect(h.fake.world.room(roomId).members.has(h.fake.botUserId)).toBe(false);
    expect(h.fake.server.requests.some((r) => r.path.includes('/join'))).toBe(false);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}
