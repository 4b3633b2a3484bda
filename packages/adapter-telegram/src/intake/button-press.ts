import type { InboundAction } from '@hermes/adapter-core';
import { telegramChatOf, telegramUserSender } from './inbound-message.js';
import type { TelegramCallbackQuery } from './parse-update.js';

export type TelegramPressBuild = { kind: 'action'; action: InboundAction } | { kind: 'drop'; reason: string };

/**
 * A callback query as the host's InboundAction: the query id (what the host dedupes on), the chat and
 * sender built as for messages, the message that carries the keyboard and the button's callback_data.
 */
export function buildTelegramAction(raw: unknown, query: TelegramCallbackQuery): TelegramPressBuild {
  const message = query.message;
  if (!message) return { kind: 'drop', reason: 'press on an inline-mode message (no chat)' };
  if (query.data === undefined || query.data === '')
    return { kind: 'drop', reason: 'press without callback_data' };
  const action: InboundAction = {
    id: query.id,
    chat: telegramChatOf(message),
    sender: telegramUserSender(query.from),
    messageId: String(message.message_id),
    actionId: query.data,
    receivedAt: new Date(),
    raw,
  };
  return { kind: 'action', action };
}
