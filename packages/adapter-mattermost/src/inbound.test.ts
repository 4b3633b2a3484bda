import { describe, expect, it } from 'vitest';
import {
  type MattermostInboundContext,
  type MattermostPayload,
  mapMattermostInbound,
  stripMattermostMention,
} from './inbound.js';

const context: MattermostInboundContext = {
  bot: { id: 'botid', username: 'hermes' },
  requireMention: true,
  inBotThread: (root) => root === 'botroot',
  fileUrl: (id) => `http://127.0.0.1:1/api/v4/files/${id}`,
  media: {
    cache: { dir: '/tmp', pathFor: (n) => `/tmp/${n}` },
    maxBytes: 1000,
    allowPrivate: true,
    headers: {},
  },
  now: () => new Date(1_800_000_000_000),
};

function posted(post: Record<string, unknown>, data: Record<string, unknown> = {}): MattermostPayload {
  return {
    source: 'event',
    event: {
      event: 'posted',
      seq: 3,
      broadcast: {},
      data: {
        channel_type: 'O',
        channel_display_name: 'Town Square',
        sender_name: '@alice',
        post: JSON.stringify({
          id: 'p1',
          channel_id: 'c1',
          user_id: 'u1',
          create_at: 5,
          message: 'hi',
          ...post,
        }),
        ...data,
      },
    },
  };
}

describe('mapMattermostInbound', () => {
  it('maps a DM with sender, chat type and raw', () => {
    const result = mapMattermostInbound(posted({ message: 'hello' }, { channel_type: 'D' }), context);
    expect(result.kind).toBe('message');
    if (result.kind !== 'message') return;
    expect(result.message).toMatchObject({
      id: 'p1',
      chat: { platform: 'mattermost', chatId: 'c1', chatType: 'dm', chatName: 'Town Square' },
      sender: { id: 'u1', name: 'alice', isBot: false },
      text: 'hello',
      mentionsBot: false,
    });
    expect(result.seen).toEqual({ id: 'p1', createAt: 5 });
  });

  it('gates channel posts on a mention and strips it', () => {
    expect(mapMattermostInbound(posted({ message: 'chatter' }), context)).toMatchObject({
      kind: 'ignored',
      seen: { id: 'p1' },
    });
    const mentioned = mapMattermostInbound(posted({ message: '@hermes what time is it?' }), context);
    expect(mentioned).toMatchObject({
      kind: 'message',
      message: { text: 'what time is it?', mentionsBot: true },
    });
    const byList = mapMattermostInbound(
      posted({ message: 'ping' }, { mentions: JSON.stringify(['botid']) }),
      context,
    );
    expect(byList).toMatchObject({ kind: 'message', message: { mentionsBot: true } });
    const open = mapMattermostInbound(posted({ message: 'chatter' }), { ...context, requireMention: false });
    expect(open).toMatchObject({
      kind: 'message',
      message: { mentionsBot: false, chat: { chatType: 'channel' } },
    });
  });

  it('takes replies in the bot’s own threads without a mention, and carries root_id as threadId', () => {
    const reply = mapMattermostInbound(posted({ message: 'and then?', root_id: 'botroot' }), context);
    expect(reply).toMatchObject({ kind: 'message', message: { chat: { threadId: 'botroot' } } });
    expect(mapMattermostInbound(posted({ message: 'elsewhere', root_id: 'other' }), context).kind).toBe(
      'ignored',
    );
  });

  it('ignores its own echoes, other bots, webhooks and system posts', () => {
    expect(mapMattermostInbound(posted({ user_id: 'botid' }), context)).toMatchObject({
      kind: 'ignored',
      reason: 'own post',
    });
    expect(
      mapMattermostInbound(posted({ props: { from_bot: 'true' } }, { channel_type: 'D' }), context).kind,
    ).toBe('ignored');
    expect(
      mapMattermostInbound(posted({ props: { from_webhook: 'true' } }, { channel_type: 'D' }), context).kind,
    ).toBe('ignored');
    expect(
      mapMattermostInbound(posted({ type: 'system_join_channel' }, { channel_type: 'D' }), context).kind,
    ).toBe('ignored');
    expect(
      mapMattermostInbound(
        { source: 'event', event: { event: 'typing', data: {}, broadcast: {}, seq: 1 } },
        context,
      ),
    ).toMatchObject({
      kind: 'ignored',
      reason: 'event typing',
    });
  });

  it('reports malformed posts without throwing', () => {
    const bad = (data: unknown) =>
      mapMattermostInbound(
        { source: 'event', event: { event: 'posted', data, broadcast: {}, seq: 1 } },
        context,
      );
    expect(bad(null)).toMatchObject({ kind: 'malformed' });
    expect(bad({ post: 42 })).toMatchObject({
      kind: 'malformed',
      problem: expect.stringMatching(/not a JSON string/),
    });
    expect(bad({ post: '{nope' })).toMatchObject({
      kind: 'malformed',
      problem: expect.stringMatching(/not valid JSON/),
    });
    expect(bad({ post: '[]' })).toMatchObject({ kind: 'malformed' });
    expect(bad({ post: JSON.stringify({ id: 'x', channel_id: 'c' }) })).toMatchObject({
      problem: expect.stringMatching(/user_id/),
    });
    expect(
      bad({ post: JSON.stringify({ id: 'x', channel_id: 'c', user_id: 'u', create_at: 'soon' }) }),
    ).toMatchObject({
      problem: expect.stringMatching(/create_at/),
    });
  });

  it('maps catch-up posts with the channel type from the channel list and files as lazy attachments', () => {
    const result = mapMattermostInbound(
      {
        source: 'catch-up',
        channel: { id: 'c9', type: 'D', display_name: 'alice' },
        post: {
          id: 'p9',
          channel_id: 'c9',
          user_id: 'u1',
          create_at: 9,
          message: 'see file',
          metadata: {
            files: [
              { id: 'f1', name: 'a.png', mime_type: 'image/png', size: 4 },
              { id: 'f2', name: 'x.pdf' },
            ],
          },
        },
      },
      context,
    );
    expect(result.kind).toBe('message');
    if (result.kind !== 'message') return;
    expect(result.message.chat).toMatchObject({ chatId: 'c9', chatType: 'dm' });
    expect(result.message.attachments.map((a) => [a.kind, a.name, a.mime])).toEqual([
      ['image', 'a.png', 'image/png'],
      ['file', 'x.pdf', undefined],
    ]);
  });
});

describe('stripMattermostMention', () => {
  it('strips the bot mention wherever it is, but not a longer username or an e-mail address', () => {
    expect(stripMattermostMention('@hermes, help', 'hermes')).toEqual({ text: 'help', mentioned: true });
    expect(stripMattermostMention('hey @Hermes can you help', 'hermes')).toEqual({
      text: 'hey can you help',
      mentioned: true,
    });
    expect(stripMattermostMention('ask @hermes.', 'hermes').mentioned).toBe(true);
    expect(stripMattermostMention('@hermes-bot hi', 'hermes').mentioned).toBe(false);
    expect(stripMattermostMention('@hermes.dev hi', 'hermes').mentioned).toBe(false);
    expect(stripMattermostMention('mail me at a@hermes', 'hermes').mentioned).toBe(false);
  });
});
