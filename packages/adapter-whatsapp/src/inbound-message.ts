import type { Attachment, ChatRef, InboundMessage, MediaKind, Sender } from '@hermes/adapter-core';
import { isObject, type JsonObject, str, type WhatsappWebhookMessage } from './inbound.js';
import { digitsOf, isPhoneNumberId } from './user-id.js';

const PLATFORM = 'whatsapp';

export interface WhatsappMediaRef {
  mediaId: string;
  kind: MediaKind;
  mime?: string;
  name?: string;
}

/** A press on a reply button or a list row: becomes an InboundAction. */
export interface WhatsappPress {
  id: string;
  chat: ChatRef;
  sender: Sender;
  /** The message that carried the buttons (`context.id`). */
  messageId: string;
  actionId: string;
  /** The label the user saw, for hosts without receiveAction. */
  title: string;
  receivedAt: Date;
  raw: unknown;
}

export interface WhatsappReaction {
  id: string;
  chat: ChatRef;
  sender: Sender;
  messageId: string;
  /** Empty when the user removed their reaction. */
  emoji: string;
  receivedAt: Date;
  raw: unknown;
}

export type WhatsappMapped =
  | { kind: 'message'; message: InboundMessage; sentAtMs: number | undefined }
  | { kind: 'press'; press: WhatsappPress; sentAtMs: number | undefined }
  | { kind: 'reaction'; reaction: WhatsappReaction; sentAtMs: number | undefined }
  | { kind: 'ignored'; id: string | undefined; reason: string }
  | { kind: 'malformed'; id: string | undefined; problem: string };

export interface WhatsappInboundContext {
  /** The business number's digits, once known: `@<digits>` in a group is a mention of the bot. */
  botNumber: string | undefined;
  /** Builds the lazy attachment for a media id (nothing is downloaded here). */
  attachment(ref: WhatsappMediaRef): Attachment;
  now(): Date;
}

const MEDIA_KINDS: Record<string, MediaKind> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  document: 'file',
  sticker: 'sticker',
};

/** Types that carry nothing for the agent. */
const IGNORED_TYPES = new Set(['unsupported', 'system', 'request_welcome', 'ephemeral', 'unknown']);

function mediaText(type: string, body: JsonObject): { text: string; ref: Omit<WhatsappMediaRef, 'mediaId'> } {
  const kind = type === 'audio' && body['voice'] === true ? 'voice' : (MEDIA_KINDS[type] ?? 'file');
  const mime = str(body['mime_type']);
  const name = str(body['filename']);
  return {
    text: str(body['caption']) ?? '',
    ref: { kind, ...(mime === undefined ? {} : { mime }), ...(name === undefined ? {} : { name }) },
  };
}

function locationText(body: JsonObject): string | undefined {
  const lat = Number(body['latitude']);
  const lon = Number(body['longitude']);
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return undefined;
  const label = [str(body['name']), str(body['address'])].filter((s) => s !== undefined).join(', ');
  return `[Location${label ? `: ${label}` : ''} (${lat}, ${lon}) https://maps.google.com/?q=${lat},${lon}]`;
}

function contactsText(list: unknown): string | undefined {
  if (!Array.isArray(list)) return undefined;
  const lines = list.filter(isObject).map((c) => {
    const name = isObject(c['name']) ? (str(c['name']['formatted_name']) ?? 'unnamed') : 'unnamed';
    const phones = Array.isArray(c['phones'])
      ? c['phones'].filter(isObject).map((p) => str(p['phone']) ?? str(p['wa_id']))
      : [];
    const numbers = phones.filter((p) => p !== undefined).join(', ');
    return `[Contact: ${name}${numbers ? ` ${numbers}` : ''}]`;
  });
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/** Strips `@<bot digits>` (how WhatsApp writes a mention into the text) and says whether there was one. */
function stripMention(text: string, botNumber: string | undefined): { text: string; mentioned: boolean } {
  if (botNumber === undefined || botNumber === '') return { text, mentioned: false };
  const pattern = new RegExp(`(^|\\s)@\\+?${botNumber}(?!\\d)\\s?`, 'g');
  const stripped = text.replace(pattern, (_m, lead: string) => lead);
  return stripped === text ? { text, mentioned: false } : { text: stripped.trim(), mentioned: true };
}

/**
 * Maps one message of a `messages` webhook. Never throws: a message that cannot be read is `malformed`
 * (logged by the adapter), one that carries nothing for the agent is `ignored`.
 */
export function mapWhatsappMessage(
  item: WhatsappWebhookMessage,
  context: WhatsappInboundContext,
): WhatsappMapped {
  const m = item.message;
  const id = str(m['id']);
  const from = str(m['from']);
  const type = str(m['type']);
  if (id === undefined || from === undefined || type === undefined) {
    return { kind: 'malformed', id, problem: 'a message has no id, from or type' };
  }
  const fromDigits = digitsOf(from);
  if (context.botNumber !== undefined && fromDigits === context.botNumber) {
    return { kind: 'ignored', id, reason: 'our own message (echo)' };
  }
  if (IGNORED_TYPES.has(type)) return { kind: 'ignored', id, reason: `message type ${type}` };

  const groupId = str(m['group_id']);
  const chat: ChatRef = groupId
    ? { platform: PLATFORM, chatId: groupId, chatType: 'group' }
    : { platform: PLATFORM, chatId: from, chatType: 'dm' };
  if (item.senderName !== undefined && !groupId) chat.chatName = item.senderName;
  const sender: Sender = { id: from, ...(item.senderName === undefined ? {} : { name: item.senderName }) };
  const seconds = Number(m['timestamp']);
  const sentAtMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
  const receivedAt = context.now();
  const contextInfo = isObject(m['context']) ? m['context'] : undefined;
  const quotedId = contextInfo ? str(contextInfo['id']) : undefined;
  const body = isObject(m[type]) ? (m[type] as JsonObject) : undefined;

  if (type === 'interactive') {
    const reply =
      body &&
      (isObject(body['button_reply'])
        ? body['button_reply']
        : isObject(body['list_reply'])
          ? body['list_reply']
          : undefined);
    const actionId = reply ? str(reply['id']) : undefined;
    if (!reply || actionId === undefined || quotedId === undefined) {
      return {
        kind: 'ignored',
        id,
        reason: `interactive ${String(body?.['type'])} reply without a button id`,
      };
    }
    const press: WhatsappPress = {
      id,
      chat,
      sender,
      messageId: quotedId,
      actionId,
      title: str(reply['title']) ?? actionId,
      receivedAt,
      raw: m,
    };
    return { kind: 'press', press, sentAtMs };
  }
  if (type === 'reaction') {
    const messageId = body ? str(body['message_id']) : undefined;
    if (!body || messageId === undefined)
      return { kind: 'malformed', id, problem: 'a reaction has no message_id' };
    const emoji = typeof body['emoji'] === 'string' ? body['emoji'] : '';
    return {
      kind: 'reaction',
      reaction: { id, chat, sender, messageId, emoji, receivedAt, raw: m },
      sentAtMs,
    };
  }

  let text: string | undefined;
  const attachments: Attachment[] = [];
  if (type === 'text') text = body ? str(body['body']) : undefined;
  else if (type in MEDIA_KINDS) {
    const mediaId = body ? str(body['id']) : undefined;
    if (!body || mediaId === undefined)
      return { kind: 'malformed', id, problem: `a ${type} message has no media id` };
    const media = mediaText(type, body);
    text = media.text;
    attachments.push(context.attachment({ mediaId, ...media.ref }));
  } else if (type === 'location') text = body ? locationText(body) : undefined;
  else if (type === 'contacts') text = contactsText(m['contacts']);
  // A quick-reply button of a template message: its payload is what the user chose.
  else if (type === 'button') text = body ? (str(body['text']) ?? str(body['payload'])) : undefined;
  else return { kind: 'ignored', id, reason: `message type ${type} is not handled` };
  if (text === undefined) return { kind: 'malformed', id, problem: `a ${type} message has no content` };

  const { text: clean, mentioned } = groupId
    ? stripMention(text, context.botNumber)
    : { text, mentioned: false };
  const message: InboundMessage = {
    id,
    chat,
    sender,
    text: clean,
    mentionsBot: mentioned,
    attachments,
    receivedAt,
    raw: m,
  };
  if (quotedId !== undefined) message.replyTo = { id: quotedId };
  return { kind: 'message', message, sentAtMs };
}

/** True when a chat id names a group (Graph group ids are not phone numbers). */
export function isGroupChat(chat: ChatRef): boolean {
  return chat.chatType === 'group' || !isPhoneNumberId(chat.chatId);
}
