import type { Attachment } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { mapDingtalkInbound } from './inbound.js';

const context = {
  attachment: (ref: { kind: Attachment['kind'] }): Attachment => ({
    kind: ref.kind,
    fetch: () => Promise.reject(new Error('not in this test')),
  }),
  now: () => new Date(0),
};

const base = {
  conversationId: 'cidDm',
  chatbotUserId: '$:LWCP_v1:$bot',
  msgId: 'msg1',
  senderNick: 'Dora',
  senderId: '$:LWCP_v1:$dora',
  conversationType: '1',
  msgtype: 'text',
  text: { content: '  hi  ' },
  sessionWebhook: 'https://oapi.dingtalk.com/robot/sendBySession?session=s',
  sessionWebhookExpiredTime: 1_700_000_000_000,
  robotCode: 'dingrobot',
};

const map = (o: Record<string, unknown>) => mapDingtalkInbound(JSON.stringify({ ...base, ...o }), context);

describe('mapDingtalkInbound', () => {
  it('a DM without a staff id is keyed by its conversation id and has no altId', () => {
    const r = map({});
    expect(r.kind === 'message' && r.message.chat.chatId).toBe('cidDm');
    expect(r.kind === 'message' && r.message.sender).toEqual({
      id: '$:LWCP_v1:$dora',
      name: 'Dora',
      isBot: false,
    });
    expect(r.kind === 'message' && r.message.text).toBe('hi');
    expect(r.kind === 'message' && r.meta).toEqual({
      msgId: 'msg1',
      conversationId: 'cidDm',
      isGroup: false,
      isInAtList: false,
      robotCode: 'dingrobot',
      webhook: { url: base.sessionWebhook, expiresAt: base.sessionWebhookExpiredTime },
    });
  });

  it("ignores the bot's own messages, empty ones and types it does not read", () => {
    expect(map({ senderId: base.chatbotUserId }).kind).toBe('ignored');
    expect(map({ text: { content: '   ' } }).kind).toBe('ignored');
    expect(map({ msgtype: 'interactiveCard' }).kind).toBe('ignored');
  });

  it('names what is missing or wrong in a malformed message', () => {
    expect(mapDingtalkInbound('{"msgId":', context)).toEqual({
      kind: 'malformed',
      problem: 'robot message data is not JSON (9 bytes)',
    });
    expect(map({ conversationType: '3', msgId: undefined })).toEqual({
      kind: 'malformed',
      problem: 'robot message lacks msgId, conversationType ("1" or "2")',
    });
    expect(map({ msgtype: 'richText', content: {} })).toEqual({
      kind: 'malformed',
      problem: 'richText message without content.richText',
    });
  });

  it('a video is a lazy video attachment; a file keeps its name', () => {
    const video = map({ msgtype: 'video', content: { downloadCode: 'dc1', duration: 3 } });
    expect(video.kind === 'message' && video.message.attachments.map((a) => a.kind)).toEqual(['video']);
    const file = map({ msgtype: 'file', content: { downloadCode: 'dc2', fileName: 'a.xlsx' } });
    expect(file.kind === 'message' && file.message.attachments.length).toBe(1);
  });
});
