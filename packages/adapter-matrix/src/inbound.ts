import type { Attachment, InboundMessage, MediaKind } from '@hermes/adapter-core';
import { detectMention, stripReplyFallback } from './mentions.js';
import type { MatrixTimelineEnvelope } from './timeline-envelope.js';

/**
 * What one timeline event became. `ignored` is for what is not a user message to answer: the bot's own
 * echoes, notices from other bots, edits, reactions, state events, unaddressed group chatter.
 * `malformed` is logged by the adapter and dropped; it never throws.
 */
export type MatrixInbound =
  | { kind: 'message'; message: InboundMessage }
  | { kind: 'ignored'; reason: string }
  | { kind: 'malformed'; problem: string };

/** An m.image / m.file / ... content the attachment factory turns into a lazy download. */
export interface MatrixMediaContent {
  kind: MediaKind;
  /** mxc:// of a plain upload. */
  url?: string;
  /** The EncryptedFile object of an upload in an encrypted room. */
  file?: Record<string, unknown>;
  mime?: string;
  name?: string;
  size?: number;
}

export interface MatrixInboundContext {
  botUserId: string | undefined;
  /** Group rooms: drop messages that do not address the bot. */
  requireMention: boolean;
  attachment(media: MatrixMediaContent): Attachment;
  now(): Date;
}

const MEDIA_MSGTYPES: Record<string, MediaKind> = {
  'm.image': 'image',
  'm.file': 'file',
  'm.audio': 'audio',
  'm.video': 'video',
};

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function mediaOf(type: string, content: Record<string, unknown>): MatrixMediaContent | undefined {
  const msgtype = str(content['msgtype']);
  let kind: MediaKind | undefined =
    type === 'm.sticker' ? 'sticker' : msgtype ? MEDIA_MSGTYPES[msgtype] : undefined;
  if (kind === undefined) return undefined;
  if (kind === 'audio' && content['org.matrix.msc3245.voice'] !== undefined) kind = 'voice';
  const info = (content['info'] ?? {}) as Record<string, unknown>;
  const media: MatrixMediaContent = { kind };
  const url = str(content['url']);
  if (url !== undefined) media.url = url;
  if (typeof content['file'] === 'object' && content['file'] !== null)
    media.file = content['file'] as Record<string, unknown>;
  if (media.url === undefined && media.file === undefined) return undefined;
  const mime = str(info['mimetype']);
  if (mime !== undefined) media.mime = mime;
  const name = str(content['filename']) ?? str(content['body']);
  if (name !== undefined) media.name = name;
  if (typeof info['size'] === 'number') media.size = info['size'];
  return media;
}

/** Maps one live timeline event to an InboundMessage. Pure: no I/O, never throws. */
export function mapMatrixInbound(
  envelope: MatrixTimelineEnvelope,
  context: MatrixInboundContext,
): MatrixInbound {
  const event = envelope.event;
  const eventId = str(event.event_id);
  const sender = str(event.sender);
  const type = str(event.type);
  if (eventId === undefined || sender === undefined || type === undefined) {
    return { kind: 'malformed', problem: 'timeline event without event_id, sender or type' };
  }
  if (sender === context.botUserId) return { kind: 'ignored', reason: 'own echo' };
  if (envelope.decryptionFailure !== undefined) {
    return { kind: 'malformed', problem: `could not decrypt ${eventId}: ${envelope.decryptionFailure}` };
  }
  if (type !== 'm.room.message' && type !== 'm.sticker')
    return { kind: 'ignored', reason: `event type ${type}` };
  if (typeof event.content !== 'object' || event.content === null || Array.isArray(event.content)) {
    return { kind: 'malformed', problem: `${eventId} has no content object` };
  }
  const content = event.content as Record<string, unknown>;
  if (Object.keys(content).length === 0) return { kind: 'ignored', reason: 'redacted event' };
  const msgtype = str(content['msgtype']);
  const body = str(content['body']);
  if (type === 'm.room.message' && (msgtype === undefined || body === undefined)) {
    return { kind: 'malformed', problem: `${eventId}: m.room.message without msgtype or body` };
  }
  // Other bots speak in notices; answering them is how two bots loop forever.
  if (msgtype === 'm.notice') return { kind: 'ignored', reason: 'notice (bot message)' };
  const relates = (content['m.relates_to'] ?? {}) as Record<string, unknown>;
  if (relates['rel_type'] === 'm.replace') return { kind: 'ignored', reason: 'edit of an earlier message' };

  const media = mediaOf(type, content);
  const replyToId = str((relates['m.in_reply_to'] as Record<string, unknown> | undefined)?.['event_id']);
  const threadId = relates['rel_type'] === 'm.thread' ? str(relates['event_id']) : undefined;
  const filename = str(content['filename']);
  // A media event's body is its caption only when a separate filename is given (Matrix v1.10).
  const caption = media && filename !== undefined && body !== filename ? body : undefined;
  let text = media ? (caption ?? '') : stripReplyFallback(body ?? '');
  if (msgtype === 'm.emote') text = `* ${envelope.senderName ?? sender} ${text}`;
  const mention = detectMention(content, text, { userId: context.botUserId, displayName: envelope.botName });
  const repliesToBot =
    envelope.replyTarget?.sender !== undefined && envelope.replyTarget.sender === context.botUserId;
  const mentionsBot = mention.mentioned || repliesToBot;
  const chatType = envelope.isDirect ? 'dm' : 'group';
  if (chatType === 'group' && context.requireMention && !mentionsBot) {
    return { kind: 'ignored', reason: 'group message without a mention of the bot' };
  }
  const message: InboundMessage = {
    id: eventId,
    chat: {
      platform: 'matrix',
      chatId: envelope.roomId,
      chatType,
      ...(threadId !== undefined ? { threadId } : {}),
      ...(envelope.roomName !== undefined ? { chatName: envelope.roomName } : {}),
    },
    sender: { id: sender, ...(envelope.senderName !== undefined ? { name: envelope.senderName } : {}) },
    text: mention.text,
    mentionsBot,
    attachments: media ? [context.attachment(media)] : [],
    receivedAt: context.now(),
    raw: event,
  };
  if (replyToId !== undefined && replyToId !== threadId) {
    message.replyTo = {
      id: replyToId,
      ...(envelope.replyTarget?.body !== undefined ? { text: envelope.replyTarget.body } : {}),
    };
  } else if (replyToId !== undefined && threadId !== undefined && relates['is_falling_back'] !== true) {
    message.replyTo = { id: replyToId };
  }
  return { kind: 'message', message };
}
