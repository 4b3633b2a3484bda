import {
  AdapterError,
  type ChatRef,
  escapeTelegramHtml,
  isAdapterError,
  measureLength,
  type OutboundMessage,
  prepareOutboundText,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import { TELEGRAM_PLATFORM } from '../constants.js';
import { ChatSerializer } from './chat-serial.js';
import {
  chatIdParam,
  replyParam,
  type TelegramOutboundDeps,
  type TelegramTarget,
  threadParam,
} from './deps.js';
import { inlineKeyboardOf, NO_KEYBOARD, type TelegramInlineKeyboard } from './inline-keyboard.js';
import { KeyboardMessages } from './keyboard-messages.js';
import { postToChat } from './post.js';
import { telegramReactionEmoji } from './reactions.js';
import { sendTelegramMedia } from './send-media.js';
import { sendTelegramText } from './send-text.js';

function targetOf(chat: ChatRef, threadId: string | undefined): TelegramTarget {
  const thread = threadId ?? chat.threadId;
  return thread === undefined ? { chatId: chat.chatId } : { chatId: chat.chatId, threadId: thread };
}

/**
 * A failure after some parts landed must not be retried by the caller: that would post those parts twice.
 * The error keeps its code and says what was delivered.
 */
function partial(error: AdapterError, delivered: number): AdapterError {
  if (delivered === 0) return error;
  return new AdapterError(
    error.code,
    `${error.message} (after ${delivered} part(s) of the message were delivered)`,
    {
      platform: TELEGRAM_PLATFORM,
      retryable: false,
      cause: error,
      ...(error.fix ? { fix: error.fix } : {}),
    },
  );
}

/** Everything the adapter posts, edits or deletes. */
export class TelegramSender {
  readonly #deps: TelegramOutboundDeps;
  readonly #serial = new ChatSerializer();
  readonly #keyboards = new KeyboardMessages();

  constructor(deps: TelegramOutboundDeps) {
    this.#deps = deps;
  }

  /** What a native stream needs to post drafts through the same client and pacer. */
  get deps(): TelegramOutboundDeps {
    return this.#deps;
  }

  /** Text chunks in order, then each media item; the whole message holds the chat until it is done. */
  send(chat: ChatRef, msg: OutboundMessage): Promise<SendResult> {
    let keyboard: TelegramInlineKeyboard | undefined;
    try {
      keyboard = msg.actions && msg.actions.length > 0 ? inlineKeyboardOf(msg.actions) : undefined;
    } catch (error) {
      return Promise.resolve({ ok: false, error: toAdapterError(error, TELEGRAM_PLATFORM) });
    }
    return this.#serial.run(chat.chatId, async () => {
      const ids: string[] = [];
      const media = msg.media ?? [];
      const target = targetOf(chat, msg.threadId);
      let replyTo = msg.replyTo;
      const posted = (more: string[]) => {
        ids.push(...more);
        if (more.length > 0) replyTo = undefined;
      };
      try {
        if (msg.text !== undefined && msg.text.trim() !== '') {
          // Buttons go under the last message: the last text chunk, or the last file when files follow.
          const last = await sendTelegramText(this.#deps, target, msg.text, {
            format: msg.format ?? 'markdown',
            replyTo,
            keyboard: media.length === 0 ? keyboard : undefined,
            onPosted: posted,
          });
          if (last && keyboard && media.length === 0) this.#keyboards.remember(chat.chatId, last);
        }
        for (const [i, item] of media.entries()) {
          const withKeyboard = i === media.length - 1 ? keyboard : undefined;
          const sent = await sendTelegramMedia(this.#deps, target, item, replyTo, withKeyboard);
          posted([sent.id]);
          if (sent.leftoverCaption !== undefined) {
            await sendTelegramText(this.#deps, target, sent.leftoverCaption, {
              format: 'markdown',
              onPosted: posted,
            });
          }
        }
        if (ids.length === 0) {
          return {
            ok: false,
            error: new AdapterError('bad_request', 'nothing to send: no text and no media', {
              platform: TELEGRAM_PLATFORM,
            }),
          };
        }
        return { ok: true, messageIds: ids };
      } catch (error) {
        return { ok: false, error: partial(toAdapterError(error, TELEGRAM_PLATFORM), ids.length) };
      }
    });
  }

  /** Replaces a message's text. It must fit one message: a longer text is refused with `too_large`. */
  async edit(chat: ChatRef, messageId: string, text: string): Promise<SendResult> {
    const edit = async (format: 'markdown' | 'plain') => {
      const chunks = prepareOutboundText(text, this.#deps.capabilities, format);
      if (chunks.length > 1) {
        throw new AdapterError(
          'too_large',
          `the edited text needs ${chunks.length} Telegram messages; an edit holds one`,
          {
            platform: TELEGRAM_PLATFORM,
            retryable: false,
            fix: 'send the rest as a new message',
          },
        );
      }
      const payload = {
        chat_id: chatIdParam(chat.chatId),
        message_id: Number(messageId),
        text: chunks[0]?.rendered ?? '',
        ...(format === 'markdown' ? { parse_mode: 'HTML' } : {}),
      };
      await this.#deps.pacer.run(chat.chatId, () => this.#deps.api.call('editMessageText', payload));
    };
    try {
      try {
        await edit('markdown');
      } catch (error) {
        if (!(isAdapterError(error) && error.code === 'formatting_rejected')) throw error;
        this.#deps.logger.warn('Telegram rejected the HTML of an edit; edited as plain text', {
          error: error.message,
        });
        await edit('plain');
      }
      return { ok: true, messageIds: [messageId] };
    } catch (error) {
      const e = toAdapterError(error, TELEGRAM_PLATFORM);
      // Streaming edits often repeat the same text; Telegram calls that an error, it is not one.
      if (e.code === 'not_modified') return { ok: true, messageIds: [messageId] };
      return { ok: false, error: e };
    }
  }

  /**
   * Removes a message's buttons and shows the outcome. A text message this sender posted gets the outcome
   * appended in one edit that also drops the keyboard; anything else (a file, a message from before a
   * restart, a text that would grow past 4096) loses its keyboard and gets the outcome as a reply.
   */
  async settleActions(chat: ChatRef, messageId: string, outcome: string): Promise<SendResult> {
    const note = escapeTelegramHtml(outcome.trim());
    const ref = { chat_id: chatIdParam(chat.chatId), message_id: Number(messageId) };
    if (!/^\d+$/.test(messageId)) {
      return {
        ok: false,
        error: new AdapterError('bad_request', `"${messageId}" is not a Telegram message id`, {
          platform: TELEGRAM_PLATFORM,
          retryable: false,
        }),
      };
    }
    const known = this.#keyboards.take(chat.chatId, messageId);
    const call = (method: string, payload: Record<string, unknown>) =>
      this.#deps.pacer.run(chat.chatId, () => this.#deps.api.call(method, payload));
    const notModifiedIsDone = (error: unknown) => {
      if (isAdapterError(error) && error.code === 'not_modified') return;
      throw error;
    };
    try {
      if (known && note !== '') {
        const text = known.html ? `${known.text}\n\n<i>${note}</i>` : `${known.text}\n\n${outcome.trim()}`;
        if (measureLength(text, 'utf16') <= this.#deps.capabilities.maxMessageLength) {
          await call('editMessageText', {
            ...ref,
            text,
            ...(known.html ? { parse_mode: 'HTML' } : {}),
            reply_markup: NO_KEYBOARD,
          }).catch(notModifiedIsDone);
          return { ok: true, messageIds: [messageId] };
        }
      }
      await call('editMessageReplyMarkup', { ...ref, reply_markup: NO_KEYBOARD }).catch(notModifiedIsDone);
      if (note === '') return { ok: true, messageIds: [messageId] };
      const target = targetOf(chat, undefined);
      const id = await this.#serial.run(chat.chatId, () =>
        postToChat(this.#deps, target, 'sendMessage', {
          text: `<i>${note}</i>`,
          parse_mode: 'HTML',
          ...replyParam(messageId),
        }),
      );
      return { ok: true, messageIds: [messageId, id] };
    } catch (error) {
      return { ok: false, error: toAdapterError(error, TELEGRAM_PLATFORM) };
    }
  }

  async delete(chat: ChatRef, messageId: string): Promise<boolean> {
    try {
      const payload = { chat_id: chatIdParam(chat.chatId), message_id: Number(messageId) };
      return (
        (await this.#deps.pacer.run(chat.chatId, () => this.#deps.api.call('deleteMessage', payload))) ===
        true
      );
    } catch (error) {
      this.#deps.logger.warn('Telegram deleteMessage failed', { error: toAdapterError(error).message });
      return false;
    }
  }

  /** Sets the bot's reaction; emoji Telegram does not offer as reactions are mapped to ones it does. */
  async react(chat: ChatRef, messageId: string, emoji: string): Promise<void> {
    const payload = {
      chat_id: chatIdParam(chat.chatId),
      message_id: Number(messageId),
      reaction: [{ type: 'emoji', emoji: telegramReactionEmoji(emoji) }],
    };
    await this.#deps.api.call('setMessageReaction', payload);
  }

  /** The "typing…" indicator (lasts about five seconds). Not paced: it is cheap and a late one is useless. */
  async typing(chat: ChatRef): Promise<void> {
    const target = targetOf(chat, undefined);
    await this.#deps.api.call('sendChatAction', {
      chat_id: chatIdParam(chat.chatId),
      action: 'typing',
      ...threadParam(target),
    });
  }
}
