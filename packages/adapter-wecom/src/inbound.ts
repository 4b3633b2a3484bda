import { AdapterError, type Attachment, type InboundMessage, type MediaKind } from '@hermes/adapter-core';
import { WECOM_PLATFORM } from './constants.js';
import type { WecomCallbackBody, WecomMediaRef, WecomMessageContent } from './frames.js';

/** One media item found in a callback, not downloaded yet. */
export interface WecomMediaItem {
  kind: MediaKind;
  ref: WecomMediaRef;
  /** Came from the quoted message rather than the user's own. */
  fromQuote: boolean;
}

/** Text and media of one message body (the callback's own, or the quoted one). */
export interface WecomContent {
  text: string;
  media: WecomMediaItem[];
  /** A voice note's words as WeCom transcribed them (also `text`). */
  transcript?: string;
}

export type WecomMediaFetcher = (
  item: WecomMediaItem,
) => Promise<{ path: string; mime: string; name: string; bytes: number }>;

function str(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function isMediaRef(value: unknown): value is WecomMediaRef {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['url'] === 'string' || typeof v['base64'] === 'string';
}

function appmsgContent(content: WecomMessageContent, fromQuote: boolean): WecomContent {
  const app = content.appmsg ?? {};
  const description = str(app.description) || str(app.desc) || str(app.digest) || str(app.summary);
  const link = str(app.url) || str(app.content_url) || str(app.page_url) || str(app.link_url);
  const media: WecomMediaItem[] = [];
  if (isMediaRef(app.file)) media.push({ kind: 'file', ref: app.file, fromQuote });
  if (isMediaRef(app.image)) media.push({ kind: 'image', ref: app.image, fromQuote });
  return { text: [str(app.title), description, link].filter(Boolean).join('\n'), media };
}

/** Reads text and media out of any msgtype WeCom sends; unknown types fall back to their text, if any. */
export function extractWecomContent(content: WecomMessageContent, fromQuote = false): WecomContent {
  const media: WecomMediaItem[] = [];
  const push = (kind: MediaKind, ref: unknown) => {
    if (isMediaRef(ref)) media.push({ kind, ref, fromQuote });
  };
  switch (content.msgtype) {
    case 'mixed': {
      const texts: string[] = [];
      for (const item of content.mixed?.msg_item ?? []) {
        if (item.msgtype === 'text') texts.push(str(item.text?.content));
        else if (item.msgtype === 'image') push('image', item.image);
      }
      return { text: texts.filter(Boolean).join('\n'), media };
    }
    case 'image':
      push('image', content.image);
      return { text: '', media };
    case 'file':
      push('file', content.file);
      return { text: '', media };
    case 'video':
      push('video', content.video);
      return { text: '', media };
    case 'voice': {
      // WeCom transcribes voice notes itself and sends only the text: the voice attachment carries it as
      // `transcript` (so a host knows it was spoken) and has no audio to fetch.
      const heard = str(content.voice?.content);
      return { text: heard, media, ...(heard ? { transcript: heard } : {}) };
    }
    case 'appmsg':
      return appmsgContent(content, fromQuote);
    default:
      return { text: str(content.text?.content), media };
  }
}

/** `@Bot question` → `question`. Without a configured name, any leading @mention counts as the bot's. */
export function stripWecomMention(text: string, botName?: string): { text: string; mentioned: boolean } {
  if (botName && text.startsWith(`@${botName}`)) {
    return { text: text.slice(botName.length + 1).trimStart(), mentioned: true };
  }
  const match = /^@\S+(?:\s+|$)/u.exec(text);
  if (!match || (botName && match[0].trim() !== `@${botName}`)) return { text, mentioned: false };
  return { text: text.slice(match[0].length), mentioned: true };
}

export interface WecomInboundOptions {
  reqId: string;
  /** The callback command it came in (`aibot_msg_callback` or the legacy `aibot_callback`). */
  cmd?: string;
  botName?: string;
  fetchMedia: WecomMediaFetcher;
  now?: () => Date;
}

/** A voice note as WeCom delivers it: the words only, no audio. */
function voiceTranscript(transcript: string): Attachment {
  return {
    kind: 'voice',
    transcript,
    fetch: () =>
      Promise.reject(
        new AdapterError(
          'unsupported',
          'WeCom delivers voice notes as text only; there is no audio to fetch',
          {
            platform: WECOM_PLATFORM,
          },
        ),
      ),
  };
}

function toAttachment(item: WecomMediaItem, fetchMedia: WecomMediaFetcher): Attachment {
  const name = item.ref.filename ?? item.ref.name;
  const attachment: Attachment = {
    kind: item.kind,
    ...(name ? { name } : {}),
    fetch: async () => {
      const saved = await fetchMedia(item);
      // Lazy attachments learn their real type and size once fetched.
      attachment.mime = saved.mime;
      attachment.name = saved.name;
      attachment.size = saved.bytes;
      return saved.path;
    },
  };
  return attachment;
}

/** The chat a callback belongs to: the group id, or the sender for a DM. */
export function wecomChatOf(body: WecomCallbackBody): { chatId: string; chatType: 'dm' | 'group' } {
  return { chatId: body.chatid || body.from.userid, chatType: body.chattype === 'group' ? 'group' : 'dm' };
}

/**
 * Maps a callback to an InboundMessage, or undefined when it carries neither text nor media. The quoted
 * message's text becomes `replyTo.text` and its media become attachments; a message that is only a quote
 * takes the quoted text as its own.
 */
export function buildWecomInbound(
  body: WecomCallbackBody,
  o: WecomInboundOptions,
): InboundMessage | undefined {
  const { chatId, chatType } = wecomChatOf(body);
  const own = extractWecomContent(body);
  let text = own.text;
  let mentionsBot = chatType === 'dm';
  if (chatType === 'group') {
    const stripped = stripWecomMention(text, o.botName);
    text = stripped.text;
    mentionsBot = stripped.mentioned;
  }
  const quote = body.quote ? extractWecomContent(body.quote, true) : undefined;
  const hasOwn = text.length > 0 || own.media.length > 0;
  if (!hasOwn && quote) text = quote.text;
  const media = [...own.media, ...(quote?.media ?? [])];
  if (!text && media.length === 0) return undefined;

  const msgid = body.msgid || o.reqId;
  const message: InboundMessage = {
    id: msgid,
    chat: { platform: WECOM_PLATFORM, chatId, chatType },
    sender: { id: body.from.userid, name: body.from.userid },
    text,
    mentionsBot,
    attachments: [
      ...(own.transcript ? [voiceTranscript(own.transcript)] : []),
      ...media.map((item) => toAttachment(item, o.fetchMedia)),
    ],
    receivedAt: o.now?.() ?? new Date(),
    raw: { cmd: o.cmd ?? 'aibot_msg_callback', headers: { req_id: o.reqId }, body },
  };
  if (quote && (quote.text || quote.media.length > 0)) {
    message.replyTo = {
      ...(hasOwn ? { id: `quote:${body.quote?.msgid ?? msgid}` } : {}),
      ...(quote.text ? { text: quote.text } : {}),
    };
  }
  return message;
}
