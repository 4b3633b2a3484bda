import { describe, expect, it } from 'vitest';
import type { Attachment, InboundMessage } from '../contract.js';
import { mergeInboundBatch } from './merge-inbound.js';

const chat = { platform: 'wecom', chatId: 'c1', chatType: 'dm' as const };
const sender = { id: 'u1' };
const file = (name: string): Attachment => ({ kind: 'file', name, fetch: async () => `/tmp/${name}` });

function msg(id: string, text: string, extra: Partial<InboundMessage> = {}): InboundMessage {
  return {
    id,
    chat,
    sender,
    text,
    mentionsBot: false,
    attachments: [],
    receivedAt: new Date(Number(id.slice(1)) * 1000),
    raw: { id },
    ...extra,
  };
}

describe('mergeInboundBatch', () => {
  it('joins texts with a newline and keeps the first id, chat, sender and time', () => {
    const merged = mergeInboundBatch([msg('m1', 'first half'), msg('m2', 'second half'), msg('m3', 'tail')]);
    expect(merged.text).toBe('first half\nsecond half\ntail');
    expect(merged.id).toBe('m1');
    expect(merged.chat).toBe(chat);
    expect(merged.sender).toBe(sender);
    expect(merged.receivedAt).toEqual(new Date(1000));
    expect(merged.raw).toEqual([{ id: 'm1' }, { id: 'm2' }, { id: 'm3' }]);
    expect(merged.parts?.map((p) => p.id)).toEqual(['m1', 'm2', 'm3']);
  });

  it('lists every piece once in parts when a merged message is merged again', () => {
    const twice = mergeInboundBatch([mergeInboundBatch([msg('m1', 'a'), msg('m2', 'b')]), msg('m3', 'c')]);
    expect(twice.parts?.map((p) => [p.id, p.text])).toEqual([
      ['m1', 'a'],
      ['m2', 'b'],
      ['m3', 'c'],
    ]);
  });

  it('merges attachments in order, skips empty texts and takes the first reply reference', () => {
    const merged = mergeInboundBatch([
      msg('m1', 'look', { attachments: [file('a.pdf')] }),
      msg('m2', '', { attachments: [file('b.png')], replyTo: { id: 'q9', text: 'quoted' } }),
      msg('m3', 'at these', { mentionsBot: true, replyTo: { id: 'q10' } }),
    ]);
    expect(merged.text).toBe('look\nat these');
    expect(merged.attachments.map((a) => a.name)).toEqual(['a.pdf', 'b.png']);
    expect(merged.replyTo).toEqual({ id: 'q9', text: 'quoted' });
    expect(merged.mentionsBot).toBe(true);
  });

  it('returns a single message unchanged and refuses an empty batch', () => {
    const one = msg('m1', 'x');
    expect(mergeInboundBatch([one])).toBe(one);
    expect(() => mergeInboundBatch([])).toThrow(/at least one message/);
  });
});
