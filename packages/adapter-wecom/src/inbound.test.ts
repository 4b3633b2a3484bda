import { describe, expect, it } from 'vitest';
import type { WecomCallbackBody } from './frames.js';
import { buildWecomInbound, extractWecomContent, stripWecomMention, type WecomMediaItem } from './inbound.js';

const fetched: WecomMediaItem[] = [];
const options = {
  reqId: 'req-9',
  fetchMedia: async (item: WecomMediaItem) => {
    fetched.push(item);
    return { path: '/tmp/x', mime: 'image/png', name: 'x.png', bytes: 3 };
  },
};

function body(extra: Partial<WecomCallbackBody>): WecomCallbackBody {
  return { msgid: 'm1', chattype: 'single', from: { userid: 'alice' }, msgtype: 'text', ...extra };
}

describe('buildWecomInbound', () => {
  it('maps a DM text: chat is the sender, id is the msgid', () => {
    const msg = buildWecomInbound(body({ text: { content: 'hello' } }), options)!;
    expect(msg).toMatchObject({
      id: 'm1',
      chat: { platform: 'wecom', chatId: 'alice', chatType: 'dm' },
      sender: { id: 'alice' },
      text: 'hello',
      mentionsBot: true,
      attachments: [],
    });
    expect(msg.raw).toMatchObject({ headers: { req_id: 'req-9' }, body: { msgid: 'm1' } });
  });

  it('maps a group text: chat is the chatid, the @Bot prefix is stripped', () => {
    const msg = buildWecomInbound(
      body({ chattype: 'group', chatid: 'wrG', text: { content: '@Hermes  what now?' } }),
      options,
    )!;
    expect(msg).toMatchObject({
      chat: { chatId: 'wrG', chatType: 'group' },
      text: 'what now?',
      mentionsBot: true,
    });
    const plain = buildWecomInbound(
      body({ chattype: 'group', chatid: 'wrG', text: { content: 'no mention' } }),
      options,
    )!;
    expect(plain).toMatchObject({ text: 'no mention', mentionsBot: false });
  });

  it('strips exactly the configured bot name, including names with spaces', () => {
    expect(stripWecomMention('@Hermes Bot hi', 'Hermes Bot')).toEqual({ text: 'hi', mentioned: true });
    expect(stripWecomMention('@Someone hi', 'Hermes')).toEqual({ text: '@Someone hi', mentioned: false });
  });

  it('joins the text parts of a mixed message and exposes its images', async () => {
    const msg = buildWecomInbound(
      body({
        msgtype: 'mixed',
        mixed: {
          msg_item: [
            { msgtype: 'text', text: { content: 'part1' } },
            { msgtype: 'image', image: { url: 'https://x/1', aeskey: 'k' } },
            { msgtype: 'text', text: { content: 'part2' } },
            { msgtype: 'image', image: { base64: 'AAAA' } },
          ],
        },
      }),
      options,
    )!;
    expect(msg.text).toBe('part1\npart2');
    expect(msg.attachments.map((a) => a.kind)).toEqual(['image', 'image']);
    await msg.attachments[0]!.fetch();
    expect(fetched.at(-1)?.ref).toEqual({ url: 'https://x/1', aeskey: 'k' });
    expect(msg.attachments[0]).toMatchObject({ mime: 'image/png', name: 'x.png', size: 3 });
  });

  it('voice uses the WeCom transcription; image, file and video become attachments', async () => {
    const voice = buildWecomInbound(body({ msgtype: 'voice', voice: { content: 'spoken words' } }), options)!;
    expect(voice.text).toBe('spoken words');
    // The voice attachment says the words were spoken; WeCom sends no audio, so fetch() says so.
    expect(voice.attachments).toMatchObject([{ kind: 'voice', transcript: 'spoken words' }]);
    await expect(voice.attachments[0]!.fetch()).rejects.toMatchObject({ code: 'unsupported' });
    const file = buildWecomInbound(
      body({ msgtype: 'file', file: { url: 'https://x/f', aeskey: 'k', filename: 'a.pdf' } }),
      options,
    )!;
    expect(file.attachments).toMatchObject([{ kind: 'file', name: 'a.pdf' }]);
    expect(
      buildWecomInbound(body({ msgtype: 'image', image: { url: 'https://x/i' } }), options)!.attachments[0]!
        .kind,
    ).toBe('image');
    expect(
      buildWecomInbound(body({ msgtype: 'video', video: { url: 'https://x/v' } }), options)!.attachments[0]!
        .kind,
    ).toBe('video');
  });

  it('appmsg: title, description and url joined; embedded file and image extracted', () => {
    const content = extractWecomContent({
      msgtype: 'appmsg',
      appmsg: {
        title: 'Report',
        digest: 'Q3 numbers',
        content_url: 'https://x/r',
        file: { url: 'https://x/r.pdf' },
        image: { url: 'https://x/c.png' },
      },
    });
    expect(content.text).toBe('Report\nQ3 numbers\nhttps://x/r');
    expect(content.media.map((m) => m.kind)).toEqual(['file', 'image']);
  });

  it('quote context: quoted text is replyTo.text, quoted media are attachments, id only with own content', () => {
    const quoted = body({
      text: { content: 'what is this?' },
      quote: {
        msgtype: 'appmsg',
        appmsg: { title: 'Doc', description: 'desc', file: { url: 'https://x/q.pdf' } },
      },
    });
    const msg = buildWecomInbound(quoted, options)!;
    expect(msg.text).toBe('what is this?');
    expect(msg.replyTo).toEqual({ id: 'quote:m1', text: 'Doc\ndesc' });
    expect(msg.attachments.map((a) => a.kind)).toEqual(['file']);

    const quoteOnly = buildWecomInbound(
      body({ text: { content: '' }, quote: { msgtype: 'text', text: { content: 'earlier words' } } }),
      options,
    )!;
    expect(quoteOnly.text).toBe('earlier words');
    expect(quoteOnly.replyTo).toEqual({ text: 'earlier words' });

    const voiceQuote = buildWecomInbound(
      body({ text: { content: 'ok' }, quote: { msgtype: 'voice', voice: { content: 'said before' } } }),
      options,
    )!;
    expect(voiceQuote.replyTo?.text).toBe('said before');
  });

  it('drops a message with neither text nor media, and falls back to the req_id without a msgid', () => {
    expect(buildWecomInbound(body({ text: { content: '   ' } }), options)).toBeUndefined();
    expect(buildWecomInbound(body({ msgtype: 'image', image: {} }), options)).toBeUndefined();
    expect(buildWecomInbound(body({ msgid: '', text: { content: 'x' } }), options)!.id).toBe('req-9');
  });
});
