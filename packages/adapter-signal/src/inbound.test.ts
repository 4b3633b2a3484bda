import { describe, expect, it } from 'vitest';
import { mapSignalInbound, type SignalInboundContext } from './inbound.js';
import { dataEnvelope } from './testing/index.js';

const ACCOUNT = '+15550000001';
const BOT_UUID = '11111111-2222-4333-8444-555555555555';
const alice = { number: '+15550002222', uuid: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', name: 'Alice' };
const GROUP = 'Z3JvdXAtb25lLWZha2U=';

function context(overrides: Partial<SignalInboundContext> = {}): SignalInboundContext {
  return {
    self: { number: ACCOUNT, uuid: BOT_UUID },
    groupAllowed: (id) => id === GROUP,
    requireMention: false,
    ignoreStories: true,
    media: {
      cache: { dir: '/tmp/unused', pathFor: (name) => `/tmp/unused/${name}` },
      maxBytes: 1024,
      fetchBase64: async () => '',
    },
    now: () => new Date(1_700_000_000_000),
    ...overrides,
  };
}

const event = (envelope: unknown) => ({ account: ACCOUNT, envelope });

describe('mapSignalInbound', () => {
  it('maps a DM: chat = sender number, uuid as altId, id = <timestamp>@<author>', () => {
    const result = mapSignalInbound(
      event(dataEnvelope(alice, 1_700_000_000_123, { message: 'hi' })),
      context(),
    );
    expect(result.kind).toBe('message');
    if (result.kind !== 'message') return;
    const msg = result.message;
    expect(msg.chat).toEqual({ platform: 'signal', chatId: alice.number, chatType: 'dm', chatName: 'Alice' });
    expect(msg.sender).toEqual({ id: alice.number, altId: alice.uuid, name: 'Alice', isBot: false });
    expect(msg.id).toBe(`1700000000123@${alice.number}`);
    expect(msg.text).toBe('hi');
    expect(msg.mentionsBot).toBe(false);
    expect(result.dedupeKey).toBe(`${alice.uuid}:1700000000123`);
  });

  it('a sender known only by uuid gets the uuid as id and chat', () => {
    const result = mapSignalInbound(
      event(dataEnvelope({ uuid: alice.uuid }, 5, { message: 'x' })),
      context(),
    );
    expect(result.kind === 'message' && result.message.chat.chatId).toBe(alice.uuid);
  });

  it('resolves mentions: the bot (by uuid) is cut out, others become @number', () => {
    const body = '\ufffc ask \ufffc about it';
    const result = mapSignalInbound(
      event(
        dataEnvelope(alice, 9, {
          message: body,
          groupId: GROUP,
          mentions: [
            { start: 0, length: 1, uuid: BOT_UUID },
            { start: 6, length: 1, uuid: 'cccccccc-0000-4000-8000-000000000000', number: '+15550003333' },
          ],
        }),
      ),
      context(),
    );
    expect(result.kind).toBe('message');
    if (result.kind !== 'message') return;
    expect(result.message.text).toBe('ask @+15550003333 about it');
    expect(result.message.mentionsBot).toBe(true);
    expect(result.message.chat).toMatchObject({
      chatId: `group:${GROUP}`,
      chatType: 'group',
      chatName: 'Test group',
    });
  });

  it('a mention range outside the text is left alone instead of cutting the wrong characters', () => {
    const result = mapSignalInbound(
      event(
        dataEnvelope(alice, 9, { message: 'short', mentions: [{ start: 3, length: 9, uuid: BOT_UUID }] }),
      ),
      context(),
    );
    expect(result.kind === 'message' && result.message.text).toBe('short');
  });

  it('SIGNAL_REQUIRE_MENTION drops unaddressed group messages; a quote of the bot counts as addressing it', () => {
    const ctx = context({ requireMention: true });
    const plain = mapSignalInbound(
      event(dataEnvelope(alice, 10, { message: 'chatter', groupId: GROUP })),
      ctx,
    );
    expect(plain).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('SIGNAL_REQUIRE_MENTION'),
    });
    const quoting = mapSignalInbound(
      event(
        dataEnvelope(alice, 11, {
          message: 'and this?',
          groupId: GROUP,
          quote: { id: 7, authorNumber: ACCOUNT, text: 'earlier answer' },
        }),
      ),
      ctx,
    );
    expect(quoting.kind).toBe('message');
    if (quoting.kind !== 'message') return;
    expect(quoting.message.mentionsBot).toBe(true);
    expect(quoting.message.replyTo).toEqual({ id: `7@${ACCOUNT}`, text: 'earlier answer' });
    // DMs never need a mention.
    expect(mapSignalInbound(event(dataEnvelope(alice, 12, { message: 'dm' })), ctx).kind).toBe('message');
  });

  it('groups not in SIGNAL_GROUP_ALLOWED_USERS are ignored', () => {
    const result = mapSignalInbound(
      event(dataEnvelope(alice, 13, { message: 'x', groupId: 'other=' })),
      context(),
    );
    expect(result).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('SIGNAL_GROUP_ALLOWED_USERS'),
    });
  });

  it('attachments become lazy attachments with the daemon id; nothing is fetched yet', () => {
    let fetched = 0;
    const result = mapSignalInbound(
      event(
        dataEnvelope(alice, 14, {
          attachments: [{ id: 'abc.png', contentType: 'image/png', filename: 'cat.png', size: 10 }],
        }),
      ),
      context({
        media: {
          cache: { dir: '/tmp', pathFor: (n) => `/tmp/${n}` },
          maxBytes: 100,
          fetchBase64: async () => {
            fetched += 1;
            return '';
          },
        },
      }),
    );
    expect(result.kind).toBe('message');
    if (result.kind !== 'message') return;
    expect(result.message.attachments).toHaveLength(1);
    expect(result.message.attachments[0]).toMatchObject({
      kind: 'image',
      mime: 'image/png',
      name: 'cat.png',
      size: 10,
    });
    expect(fetched).toBe(0);
  });

  it('ignores what is not a message to answer', () => {
    const base = dataEnvelope(alice, 15, { message: 'x' }) as Record<string, unknown>;
    const { dataMessage: _drop, ...bare } = base;
    const cases: Array<[unknown, RegExp]> = [
      [{ ...bare, syncMessage: { sentMessage: { message: 'mine' } } }, /sync message/],
      [{ ...bare, receiptMessage: { isDelivery: true } }, /receipt/],
      [{ ...bare, typingMessage: { action: 'STARTED' } }, /typing/],
      [{ ...bare, editMessage: { targetSentTimestamp: 1, dataMessage: { message: 'edited' } } }, /edit/],
      [{ ...bare, storyMessage: { textAttachment: { text: 'story' } } }, /story/],
      [{ ...base, sourceNumber: ACCOUNT, sourceUuid: BOT_UUID }, /our own message/],
      [{ ...bare, dataMessage: { timestamp: 15, reaction: { emoji: '👍' } } }, /reaction/],
      [{ ...bare, dataMessage: { timestamp: 15, message: null } }, /no text/],
    ];
    for (const [envelope, reason] of cases) {
      const result = mapSignalInbound(event(envelope), context());
      expect(result.kind, JSON.stringify(envelope).slice(0, 80)).toBe('ignored');
      if (result.kind === 'ignored') expect(result.reason).toMatch(reason);
    }
  });

  it('delivers stories when SIGNAL_IGNORE_STORIES=false', () => {
    const base = dataEnvelope(alice, 16, {}) as Record<string, unknown>;
    const { dataMessage: _drop, ...bare } = base;
    const result = mapSignalInbound(
      event({ ...bare, storyMessage: { allowsReplies: true, textAttachment: { text: 'my story' } } }),
      context({ ignoreStories: false }),
    );
    expect(result.kind === 'message' && result.message.text).toBe('my story');
  });

  it('names the field when the payload has the wrong shape', () => {
    expect(mapSignalInbound('text', context())).toEqual({
      kind: 'malformed',
      problem: 'expected a JSON object, got string',
    });
    expect(mapSignalInbound({ account: ACCOUNT }, context())).toMatchObject({
      problem: 'the event has no envelope',
    });
    expect(
      mapSignalInbound(event({ sourceNumber: '+1', timestamp: 1, dataMessage: { message: 5 } }), context()),
    ).toMatchObject({
      kind: 'malformed',
      problem: 'envelope.dataMessage.message is number, expected a string',
    });
    expect(mapSignalInbound(event({ timestamp: 1, dataMessage: { message: 'x' } }), context())).toMatchObject(
      {
        kind: 'malformed',
        problem: expect.stringContaining('no sender'),
      },
    );
  });

  it('events for another account of a multi-account daemon are ignored', () => {
    const result = mapSignalInbound(
      { account: '+15559999999', envelope: dataEnvelope(alice, 17, { message: 'x' }) },
      context(),
    );
    expect(result).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('another account') });
  });
});
