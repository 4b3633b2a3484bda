import type { Attachment, ChatRef, InboundMessage, Sender } from '@hermes/adapter-core';
import { SIGNAL_GROUP_PREFIX, SIGNAL_PLATFORM } from './constants.js';
import {
  readSignalEvent,
  type SignalAttachmentInfo,
  type SignalDataMessage,
  type SignalEnvelope,
} from './envelope.js';
import { type SignalAttachmentOrigin, type SignalMediaOptions, signalInboundAttachment } from './media.js';
import { resolveSignalMentions, type SignalSelf } from './mentions.js';
import { formatSignalMessageId } from './message-id.js';
import { normalizeSignalUserId } from './user-id.js';

/**
 * What one `receive` event became. `ignored` is for what is not a user message to answer (our own sync
 * messages, receipts, typing, reactions, edits, stories, groups not allowed); `malformed` is logged by the
 * adapter and dropped. Neither throws: one bad event may not stop the stream.
 */
export type SignalInbound =
  | { kind: 'message'; message: InboundMessage; dedupeKey: string }
  | { kind: 'ignored'; reason: string }
  | { kind: 'malformed'; problem: string };

export interface SignalInboundContext {
  self: SignalSelf;
  /** True when the group (bare base64 id) may talk to the bot (SIGNAL_GROUP_ALLOWED_USERS). */
  groupAllowed(groupId: string): boolean;
  requireMention: boolean;
  ignoreStories: boolean;
  media: SignalMediaOptions;
  now(): Date;
}

function isSelf(id: string | undefined | null, self: SignalSelf): boolean {
  if (!id) return false;
  const normal = normalizeSignalUserId(id);
  return normal === self.number || (self.uuid !== undefined && normal === normalizeSignalUserId(self.uuid));
}

function attachmentsOf(
  list: readonly SignalAttachmentInfo[] | undefined,
  origin: SignalAttachmentOrigin,
  media: SignalMediaOptions,
): Attachment[] {
  const out: Attachment[] = [];
  for (const info of list ?? []) {
    // Without an id the daemon did not store it (started with --ignore-attachments): nothing to fetch.
    if (info.id === undefined) continue;
    out.push(signalInboundAttachment({ ...info, id: info.id }, origin, media));
  }
  return out;
}

function senderOf(envelope: SignalEnvelope): Sender | undefined {
  const number = envelope.sourceNumber ?? undefined;
  const uuid = envelope.sourceUuid ?? undefined;
  const id = number ?? uuid ?? envelope.source;
  if (!id) return undefined;
  const sender: Sender = { id, isBot: false };
  if (number !== undefined && uuid !== undefined) sender.altId = uuid;
  if (envelope.sourceName) sender.name = envelope.sourceName;
  return sender;
}

function receivedAt(envelope: SignalEnvelope, now: Date): Date {
  const ms = envelope.serverReceivedTimestamp || envelope.timestamp;
  return ms && ms > 0 ? new Date(ms) : now;
}

/** Why an envelope without a data message carries nothing to answer. */
function nonMessageReason(envelope: SignalEnvelope): string {
  if (envelope.receiptMessage !== undefined) return 'a receipt';
  if (envelope.typingMessage !== undefined) return 'a typing indicator';
  if (envelope.callMessage !== undefined) return 'a call message';
  return 'an envelope without a data message';
}

function dataReason(data: SignalDataMessage): string | undefined {
  if (data.reaction !== undefined) return 'a reaction';
  if (data.remoteDelete !== undefined) return 'a remote delete';
  if (data.groupInfo?.type === 'UPDATE' && !data.message) return 'a group update';
  return undefined;
}

/** Maps one SSE `receive` event (its parsed data) to an InboundMessage. */
export function mapSignalInbound(payload: unknown, context: SignalInboundContext): SignalInbound {
  const read = readSignalEvent(payload);
  if (!read.ok) return { kind: 'malformed', problem: read.problem };
  const event = read.value;
  if (event.account !== undefined && normalizeSignalUserId(event.account) !== context.self.number) {
    return { kind: 'ignored', reason: 'an event for another account of the daemon' };
  }
  const envelope = event.envelope;
  if (event.exception) {
    const who = envelope ? (senderOf(envelope)?.id ?? 'an unknown sender') : 'an unknown sender';
    return {
      kind: 'malformed',
      problem: `signal-cli could not read a message from ${who}: ${event.exception.type ?? 'error'} (${event.exception.message ?? 'no detail'})`,
    };
  }
  if (!envelope) return { kind: 'malformed', problem: 'the event has no envelope' };
  const sender = senderOf(envelope);
  if (!sender)
    return { kind: 'malformed', problem: 'the envelope names no sender (source, sourceNumber, sourceUuid)' };
  if (envelope.syncMessage !== undefined)
    return { kind: 'ignored', reason: 'a sync message from our own devices' };
  if (isSelf(envelope.sourceNumber, context.self) || isSelf(envelope.sourceUuid, context.self)) {
    return { kind: 'ignored', reason: 'our own message' };
  }
  if (envelope.editMessage !== undefined) {
    return { kind: 'ignored', reason: 'an edit (Signal edits are not answered again)' };
  }
  if (envelope.storyMessage !== undefined) {
    if (context.ignoreStories) return { kind: 'ignored', reason: 'a story (SIGNAL_IGNORE_STORIES)' };
    return mapStory(envelope, sender, context, payload);
  }
  const data = envelope.dataMessage;
  if (!data) return { kind: 'ignored', reason: nonMessageReason(envelope) };
  const skip = dataReason(data);
  if (skip) return { kind: 'ignored', reason: skip };
  const timestamp = data.timestamp || envelope.timestamp;
  if (!timestamp) return { kind: 'malformed', problem: 'the message has no timestamp' };

  const groupId = data.groupInfo?.groupId;
  if (groupId !== undefined && !context.groupAllowed(groupId)) {
    return { kind: 'ignored', reason: 'a group not listed in SIGNAL_GROUP_ALLOWED_USERS' };
  }
  const resolved = resolveSignalMentions(data.message ?? '', data.mentions, context.self);
  const quote = data.quote;
  const quoteAuthor = quote ? (quote.authorNumber ?? quote.authorUuid ?? quote.author) : undefined;
  const quotesBot = isSelf(quoteAuthor, context.self);
  const mentionsBot = resolved.mentionsSelf || quotesBot;
  if (groupId !== undefined && context.requireMention && !mentionsBot) {
    return {
      kind: 'ignored',
      reason: 'a group message that does not mention the bot (SIGNAL_REQUIRE_MENTION)',
    };
  }
  const origin: SignalAttachmentOrigin = groupId !== undefined ? { groupId } : { recipient: sender.id };
  const attachments = attachmentsOf(data.attachments, origin, context.media);
  if (resolved.text.trim() === '' && attachments.length === 0) {
    return { kind: 'ignored', reason: 'a message with no text and no attachment' };
  }
  const chat: ChatRef =
    groupId !== undefined
      ? { platform: SIGNAL_PLATFORM, chatId: `${SIGNAL_GROUP_PREFIX}${groupId}`, chatType: 'group' }
      : { platform: SIGNAL_PLATFORM, chatId: sender.id, chatType: 'dm' };
  const chatName = groupId !== undefined ? data.groupInfo?.groupName : sender.name;
  if (chatName) chat.chatName = chatName;
  const id = formatSignalMessageId(timestamp, sender.id);
  const message: InboundMessage = {
    id,
    chat,
    sender,
    text: resolved.text,
    mentionsBot,
    attachments,
    receivedAt: receivedAt(envelope, context.now()),
    raw: payload,
  };
  if (quote?.id !== undefined) {
    const replyTo: { id?: string; text?: string } = {
      id: quoteAuthor ? formatSignalMessageId(quote.id, quoteAuthor) : String(quote.id),
    };
    if (quote.text) replyTo.text = quote.text;
    message.replyTo = replyTo;
  }
  // Signal identifies a message by its author and timestamp; the uuid is the stable half of the author.
  return { kind: 'message', message, dedupeKey: `${envelope.sourceUuid ?? sender.id}:${timestamp}` };
}

/** A story, only when SIGNAL_IGNORE_STORIES=false: its text and file, answered in the sender's DM. */
function mapStory(
  envelope: SignalEnvelope,
  sender: Sender,
  context: SignalInboundContext,
  raw: unknown,
): SignalInbound {
  const story = envelope.storyMessage ?? {};
  const timestamp = envelope.timestamp;
  if (!timestamp) return { kind: 'malformed', problem: 'the story has no timestamp' };
  const attachments = attachmentsOf(
    story.fileAttachment ? [story.fileAttachment] : [],
    { recipient: sender.id },
    context.media,
  );
  const text = story.textAttachment?.text ?? story.fileAttachment?.caption ?? '';
  if (text.trim() === '' && attachments.length === 0) return { kind: 'ignored', reason: 'an empty story' };
  const chat: ChatRef = { platform: SIGNAL_PLATFORM, chatId: sender.id, chatType: 'dm' };
  if (sender.name) chat.chatName = sender.name;
  return {
    kind: 'message',
    message: {
      id: formatSignalMessageId(timestamp, sender.id),
      chat,
      sender,
      text,
      mentionsBot: false,
      attachments,
      receivedAt: receivedAt(envelope, context.now()),
      raw,
    },
    dedupeKey: `${envelope.sourceUuid ?? sender.id}:${timestamp}`,
  };
}
