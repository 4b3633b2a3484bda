import type { Attachment, ChatRef, InboundMessage, Sender } from '@hermes/adapter-core';
import { TELEGRAM_PLATFORM } from '../constants.js';
import { isTopicRoot, type TelegramAddressing } from './addressing.js';
import type { TelegramMessage, TelegramUser } from './parse-update.js';

/** Forum topics (and topics in private chats) are threads; a plain reply chain is not. */
export function telegramChatOf(
  message: Pick<TelegramMessage, 'chat' | 'is_topic_message' | 'message_thread_id'>,
): ChatRef {
  const chat = message.chat;
  const ref: ChatRef = {
    platform: TELEGRAM_PLATFORM,
    chatId: String(chat.id),
    chatType: chat.type === 'private' ? 'dm' : chat.type === 'channel' ? 'channel' : 'group',
  };
  if (message.is_topic_message === true && message.message_thread_id !== undefined) {
    ref.threadId = String(message.message_thread_id);
  }
  const name = chat.title ?? chat.username ?? chat.first_name;
  if (name !== undefined) ref.chatName = name;
  return ref;
}

/** The author; an anonymous group admin or a linked channel speaks as `sender_chat`. */
export function telegramSenderOf(message: TelegramMessage): Sender | undefined {
  const from = message.from;
  if (from) return telegramUserSender(from);
  const chat = message.sender_chat;
  if (!chat) return undefined;
  const sender: Sender = { id: String(chat.id), isBot: false };
  const name = chat.title ?? chat.username;
  if (name) sender.name = name;
  if (chat.username) sender.altId = chat.username;
  return sender;
}

/** A Telegram user as a Sender: the numeric id, with the username as the second id allowlists match. */
export function telegramUserSender(from: TelegramUser): Sender {
  const sender: Sender = { id: String(from.id), isBot: from.is_bot === true };
  const name = [from.first_name, from.last_name].filter(Boolean).join(' ');
  if (name) sender.name = name;
  if (from.username) sender.altId = from.username;
  return sender;
}

function replyOf(message: TelegramMessage): InboundMessage['replyTo'] {
  const reply = message.reply_to_message;
  if (!reply || isTopicRoot(message)) return undefined;
  const out: NonNullable<InboundMessage['replyTo']> = { id: String(reply.message_id) };
  // A partial quote says exactly what the user pointed at; otherwise the whole replied-to text.
  const text = message.quote?.text ?? reply.text ?? reply.caption;
  if (text !== undefined) out.text = text;
  return out;
}

export function buildTelegramInbound(
  update: unknown,
  message: TelegramMessage,
  sender: Sender,
  addressing: TelegramAddressing,
  attachments: Attachment[],
): InboundMessage {
  const msg: InboundMessage = {
    id: String(message.message_id),
    chat: telegramChatOf(message),
    sender,
    text: addressing.text,
    mentionsBot: addressing.mentionsBot,
    attachments,
    receivedAt: new Date(),
    raw: update,
  };
  const replyTo = replyOf(message);
  if (replyTo !== undefined) msg.replyTo = replyTo;
  return msg;
}
