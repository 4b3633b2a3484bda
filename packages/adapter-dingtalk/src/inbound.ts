import type { Attachment, ChatRef, InboundMessage } from '@hermes/adapter-core';
import { DINGTALK_PLATFORM } from './constants.js';
import type { DingtalkMediaRef } from './media.js';

/** What the adapter needs from a robot message beyond the InboundMessage: where and how to answer. */
export interface DingtalkInboundMeta {
  msgId: string;
  conversationId: string;
  isGroup: boolean;
  /** DingTalk flagged the bot as @mentioned. */
  isInAtList: boolean;
  robotCode?: string;
  webhook?: { url: string; expiresAt: number };
}

/**
 * What one robot message became. `ignored` is for what is not a user message to answer (the bot's own
 * echoes, empty content); `malformed` is logged by the adapter and dropped, never thrown.
 */
export type DingtalkInbound =
  | { kind: 'message'; message: InboundMessage; meta: DingtalkInboundMeta }
  | { kind: 'ignored'; reason: string }
  | { kind: 'malformed'; problem: string };

export interface DingtalkInboundContext {
  /** Builds the lazy attachment for a file DingTalk announced by downloadCode. */
  attachment(ref: DingtalkMediaRef): Attachment;
  now(): Date;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(o: Json, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

interface Content {
  text: string;
  media: DingtalkMediaRef[];
  /** DingTalk's recognition of a voice message: also the text, and the voice attachment's `transcript`. */
  transcript?: string;
}

function mediaRef(kind: DingtalkMediaRef['kind'], o: Json, name?: string): DingtalkMediaRef[] {
  const downloadCode = str(o, 'downloadCode') ?? str(o, 'pictureDownloadCode');
  if (!downloadCode) return [];
  return [{ kind, downloadCode, ...(name ? { name } : {}) }];
}

/** The text and media of each message type DingTalk pushes to robots. */
function readContent(msgtype: string, data: Json): Content | string {
  const content = isRecord(data['content']) ? data['content'] : {};
  switch (msgtype) {
    case 'text': {
      const text = isRecord(data['text']) ? str(data['text'], 'content') : undefined;
      return { text: text?.trim() ?? '', media: [] };
    }
    case 'richText': {
      const items = content['richText'];
      if (!Array.isArray(items)) return 'richText message without content.richText';
      const lines: string[] = [];
      const media: DingtalkMediaRef[] = [];
      for (const item of items) {
        if (!isRecord(item)) continue;
        const text = str(item, 'text');
        if (text !== undefined) lines.push(text);
        if (item['type'] === 'picture' || str(item, 'pictureDownloadCode'))
          media.push(...mediaRef('image', item));
      }
      return { text: lines.join('\n').trim(), media };
    }
    case 'picture':
      return { text: '', media: mediaRef('image', content) };
    case 'audio':
    case 'voice': {
      // DingTalk transcribes voice messages itself; the recognition is what the user said.
      const heard = str(content, 'recognition')?.trim() ?? '';
      return { text: heard, media: mediaRef('voice', content), ...(heard ? { transcript: heard } : {}) };
    }
    case 'video':
      return { text: '', media: mediaRef('video', content) };
    case 'file':
      return { text: '', media: mediaRef('file', content, str(content, 'fileName')) };
    default:
      return { text: '', media: [] };
  }
}

/**
 * Maps the `data` of a robot callback frame (a JSON string, DingTalk's ChatbotMessage) to an
 * InboundMessage. Pure: no I/O; attachments are lazy. DMs are keyed by the sender's staff id (what the
 * robot API sends proactive DMs to), groups by their open conversation id.
 */
export function mapDingtalkInbound(data: string, context: DingtalkInboundContext): DingtalkInbound {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { kind: 'malformed', problem: `robot message data is not JSON (${data.length} bytes)` };
  }
  if (!isRecord(value)) return { kind: 'malformed', problem: 'robot message data is not a JSON object' };
  const msgId = str(value, 'msgId');
  const conversationId = str(value, 'conversationId');
  const senderId = str(value, 'senderId');
  const msgtype = str(value, 'msgtype');
  const conversationType = value['conversationType'];
  const missing = [
    msgId ? undefined : 'msgId',
    conversationId ? undefined : 'conversationId',
    senderId ? undefined : 'senderId',
    msgtype ? undefined : 'msgtype',
    conversationType === '1' || conversationType === '2' ? undefined : 'conversationType ("1" or "2")',
  ].filter((m) => m !== undefined);
  if (!msgId || !conversationId || !senderId || !msgtype || missing.length > 0) {
    return { kind: 'malformed', problem: `robot message lacks ${missing.join(', ')}` };
  }
  if (senderId === str(value, 'chatbotUserId')) return { kind: 'ignored', reason: "the bot's own message" };
  const content = readContent(msgtype, value);
  if (typeof content === 'string') return { kind: 'malformed', problem: content };
  if (content.text === '' && content.media.length === 0) {
    return { kind: 'ignored', reason: `a ${msgtype} message with no text or media this adapter reads` };
  }

  const isGroup = conversationType === '2';
  const staffId = str(value, 'senderStaffId');
  const nick = str(value, 'senderNick');
  const title = str(value, 'conversationTitle');
  const chat: ChatRef = isGroup
    ? {
        platform: DINGTALK_PLATFORM,
        chatId: conversationId,
        chatType: 'group',
        ...(title ? { chatName: title } : {}),
      }
    : {
        platform: DINGTALK_PLATFORM,
        chatId: staffId ?? conversationId,
        chatType: 'dm',
        ...(nick ? { chatName: nick } : {}),
      };
  const isInAtList = value['isInAtList'] === true;
  const message: InboundMessage = {
    id: msgId,
    chat,
    sender: {
      id: senderId,
      ...(nick ? { name: nick } : {}),
      ...(staffId ? { altId: staffId } : {}),
      isBot: false,
    },
    text: content.text,
    mentionsBot: !isGroup || isInAtList,
    attachments: content.media.map((ref) => {
      const attachment = context.attachment(ref);
      if (content.transcript !== undefined && ref.kind === 'voice')
        attachment.transcript = content.transcript;
      return attachment;
    }),
    receivedAt: context.now(),
    raw: value,
  };
  const meta: DingtalkInboundMeta = { msgId, conversationId, isGroup, isInAtList };
  const robotCode = str(value, 'robotCode');
  if (robotCode) meta.robotCode = robotCode;
  const webhookUrl = str(value, 'sessionWebhook');
  const expiresAt = value['sessionWebhookExpiredTime'];
  if (webhookUrl && typeof expiresAt === 'number' && Number.isFinite(expiresAt)) {
    meta.webhook = { url: webhookUrl, expiresAt };
  }
  return { kind: 'message', message, meta };
}
