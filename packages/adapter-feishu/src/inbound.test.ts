import type { Attachment } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { type FeishuInboundContext, mapFeishuInbound } from './inbound.js';
import type { FeishuResourceRef } from './inbound-content.js';
import { messageReceiveEvent } from './testing/index.js';

const APP = 'cli_a1b2c3d4e5f60718';
const BOT = 'ou_bot0000000000';
const fetched: FeishuResourceRef[] = [];

const context: FeishuInboundContext = {
  appId: APP,
  bot: { openId: BOT, name: 'HermesBot' },
  allowBots: false,
  attachment: (ref, messageId): Attachment => ({
    kind: ref.kind,
    ...(ref.name ? { name: ref.name } : {}),
    fetch: async () => {
      fetched.push(ref);
      return `/cache/${messageId}/${ref.key}`;
    },
  }),
  now: () => new Date(1_000),
};

/** The event as the SDK's dispatcher hands it to a handler: header and event fields flattened. */
function flat(
  o: Partial<Parameters<typeof messageReceiveEvent>[0]> & { messageType: string; content: unknown },
) {
  const body = messageReceiveEvent({
    appId: APP,
    eventId: 'ev_1',
    messageId: 'om_1',
    chatId: 'oc_1',
    chatType: 'p2p',
    senderOpenId: 'ou_alice',
    ...o,
  });
  return { schema: body['schema'], ...(body['header'] as object), ...(body['event'] as object) };
}

function messageOf(payload: unknown) {
  const result = mapFeishuInbound(payload, context);
  if (result.kind !== 'message') throw new Error(`expected a message, got ${JSON.stringify(result)}`);
  return result.message;
}

describe('mapFeishuInbound', () => {
  it('text in a DM: open_id as sender, union_id as altId, dm chat', () => {
    const msg = messageOf(flat({ messageType: 'text', content: { text: 'hello' } }));
    expect(msg).toMatchObject({
      id: 'om_1',
      chat: { platform: 'feishu', chatId: 'oc_1', chatType: 'dm' },
      sender: { id: 'ou_alice', altId: 'on_alice', isBot: false },
      text: 'hello',
      mentionsBot: false,
    });
  });

  it('group text: the bot placeholder is stripped, other mentions become @name, root_id is the thread', () => {
    const msg = messageOf(
      flat({
        messageType: 'text',
        chatType: 'group',
        rootId: 'om_root',
        parentId: 'om_parent',
        content: { text: '@_user_1 ask @_user_2 about it' },
        mentions: [
          { key: '@_user_1', id: { open_id: BOT }, name: 'HermesBot' },
          { key: '@_user_2', id: { open_id: 'ou_bob' }, name: 'Bob' },
        ],
      }),
    );
    expect(msg.text).toBe('ask @Bob about it');
    expect(msg.mentionsBot).toBe(true);
    expect(msg.chat).toMatchObject({ chatType: 'group', threadId: 'om_root' });
    expect(msg.replyTo).toEqual({ id: 'om_parent' });
  });

  it('post: rich text flattened to Markdown, embedded images become lazy attachments', async () => {
    const msg = messageOf(
      flat({
        messageType: 'post',
        content: {
          title: 'Report',
          content: [
            [
              { tag: 'text', text: 'see ', style: [] },
              { tag: 'a', text: 'docs', href: 'https://example.com' },
              { tag: 'text', text: ' now', style: ['bold'] },
            ],
            [{ tag: 'img', image_key: 'img_1' }],
            [{ tag: 'code_block', language: 'PYTHON', text: 'print(1)' }],
          ],
        },
      }),
    );
    expect(msg.text).toBe(
      '**Report**\n\nsee [docs](https://example.com) **now**\n\n```python\nprint(1)\n```',
    );
    expect(msg.attachments).toHaveLength(1);
    expect(msg.attachments[0]!.kind).toBe('image');
    expect(fetched).toHaveLength(0);
    await msg.attachments[0]!.fetch();
    expect(fetched.at(-1)).toMatchObject({ key: 'img_1', type: 'image' });
  });

  it('image, file, audio and media map to their attachment kinds and resource types', async () => {
    const cases = [
      ['image', { image_key: 'img_2' }, 'image', 'image'],
      ['file', { file_key: 'file_1', file_name: 'a.pdf' }, 'file', 'file'],
      ['audio', { file_key: 'file_2', duration: 3000 }, 'voice', 'file'],
      ['media', { file_key: 'file_3', file_name: 'v.mp4' }, 'video', 'file'],
    ] as const;
    for (const [messageType, content, kind, type] of cases) {
      const msg = messageOf(flat({ messageType, content }));
      expect(msg.text).toBe('');
      expect(msg.attachments.map((a) => a.kind)).toEqual([kind]);
      await msg.attachments[0]!.fetch();
      expect(fetched.at(-1)!.type, `${messageType} resources are fetched with type=${type}`).toBe(type);
    }
    expect(
      messageOf(flat({ messageType: 'file', content: { file_key: 'f', file_name: 'a.pdf' } })).attachments[0]!
        .name,
    ).toBe('a.pdf');
  });

  it('interactive cards, stickers and shares become readable text', () => {
    expect(
      messageOf(
        flat({
          messageType: 'interactive',
          content: { title: 'Deploy', elements: [[{ tag: 'text', text: 'done' }]] },
        }),
      ).text,
    ).toBe('[card] Deploy\ndone');
    expect(messageOf(flat({ messageType: 'share_chat', content: { chat_id: 'oc_x' } })).text).toContain(
      'oc_x',
    );
    expect(messageOf(flat({ messageType: 'sticker', content: { file_key: 's' } })).text).toBe('[sticker]');
  });

  it('ignores events for another app, the bot itself and other bots; flags broken events as malformed', () => {
    expect(
      mapFeishuInbound(
        { ...flat({ messageType: 'text', content: { text: 'x' } }), app_id: 'cli_ffffffffffffffff' },
        context,
      ),
    ).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('another app'),
    });
    expect(
      mapFeishuInbound(flat({ messageType: 'text', content: { text: 'x' }, senderOpenId: BOT }), context)
        .kind,
    ).toBe('ignored');
    expect(
      mapFeishuInbound(flat({ messageType: 'text', content: { text: 'x' }, senderType: 'app' }), context)
        .kind,
    ).toBe('ignored');
    expect(
      mapFeishuInbound(flat({ messageType: 'text', content: { text: 'x' }, senderType: 'app' }), {
        ...context,
        allowBots: true,
      }).kind,
    ).toBe('message');
    expect(mapFeishuInbound('nope', context).kind).toBe('malformed');
    const broken = flat({ messageType: 'text', content: { text: 'x' } }) as Record<string, unknown>;
    delete broken['message'];
    expect(mapFeishuInbound(broken, context).kind).toBe('malformed');
    const badJson = flat({ messageType: 'text', content: {} }) as unknown as { message: { content: string } };
    badJson.message.content = '{nope';
    expect(mapFeishuInbound(badJson, context)).toMatchObject({
      kind: 'malformed',
      problem: expect.stringContaining('not JSON'),
    });
  });
});
