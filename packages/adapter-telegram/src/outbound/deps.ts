import type { Capabilities, Logger, SendPacer } from '@hermes/adapter-core';
import type { TelegramBotApi } from '../api/bot-api.js';

/** What the outbound helpers share. */
export interface TelegramOutboundDeps {
  api: TelegramBotApi;
  pacer: SendPacer;
  logger: Logger;
  capabilities: Pick<Capabilities, 'maxMessageLength' | 'lengthUnit' | 'markdown'>;
  uploadTimeoutMs: number;
  maxUploadBytes: number;
}

/** Where a message goes. The thread is dropped (and the reply kept) if Telegram says the topic is gone. */
export interface TelegramTarget {
  chatId: string;
  threadId?: string;
}

// Module-level: a regex literal inside a function is a new RegExp object on every call, and these run
// several times per message sent.
const SIGNED_DIGITS = /^-?\d+$/;
const DIGITS = /^\d+$/;

/** Telegram takes numeric chat ids as numbers and public channels as `@name`. */
export function chatIdParam(chatId: string): number | string {
  return SIGNED_DIGITS.test(chatId) ? Number(chatId) : chatId;
}

export function threadParam(target: TelegramTarget): Record<string, unknown> {
  return target.threadId !== undefined && DIGITS.test(target.threadId)
    ? { message_thread_id: Number(target.threadId) }
    : {};
}

/** Reply to `replyTo` if it still exists; a deleted original must not make the answer fail. */
export function replyParam(replyTo: string | undefined): Record<string, unknown> {
  return replyTo !== undefined && DIGITS.test(replyTo)
    ? { reply_parameters: { message_id: Number(replyTo), allow_sending_without_reply: true } }
    : {};
}
