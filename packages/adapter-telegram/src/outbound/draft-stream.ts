import {
  AdapterError,
  type ChatRef,
  isAdapterError,
  type NativeReplyStream,
  type OutboundMessage,
  prepareOutboundText,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import { sendMessageDraft, type TelegramDraftParams } from '../api/message-draft.js';
import { TELEGRAM_PLATFORM } from '../constants.js';
import { chatIdParam, type TelegramOutboundDeps } from './deps.js';

export interface TelegramDraftStreamOptions {
  deps: TelegramOutboundDeps;
  chat: ChatRef;
  replyTo?: string | undefined;
  threadId?: string | undefined;
  /** The adapter's normal send path: the final reply is an ordinary message, split as usual. */
  send(chat: ChatRef, msg: OutboundMessage): Promise<SendResult>;
  /** A draft Telegram accepted (for liveness). */
  onDraft(): void;
}

/** Telegram wants a non-zero draft id; a random positive 31-bit one never collides within a chat in practice. */
function newDraftId(): number {
  return 1 + Math.floor(Math.random() * 0x7ffffffe);
}

/**
 * One streamed reply through `sendMessageDraft`. Each update shows the whole text so far as a draft
 * (Telegram has no delta form): rendered to Telegram HTML and, past 4096 units, the last chunk, the part
 * being written. `finish` posts the final text through the normal send path, which replaces the draft;
 * `abort` posts what was streamed plus the note. Exactly one of them posts; later calls are refused.
 */
export class TelegramDraftStream implements NativeReplyStream {
  readonly #o: TelegramDraftStreamOptions;
  readonly #draftId = newDraftId();
  #lastText = '';
  #closed = false;

  constructor(options: TelegramDraftStreamOptions) {
    this.#o = options;
  }

  async update(textSoFar: string): Promise<SendResult> {
    if (this.#closed) return { ok: false, error: this.#finished('update') };
    this.#lastText = textSoFar;
    try {
      await this.#draft(textSoFar, 'markdown');
    } catch (error) {
      if (!(isAdapterError(error) && error.code === 'formatting_rejected'))
        return { ok: false, error: toAdapterError(error, TELEGRAM_PLATFORM) };
      try {
        await this.#draft(textSoFar, 'plain');
      } catch (again) {
        return { ok: false, error: toAdapterError(again, TELEGRAM_PLATFORM) };
      }
    }
    return { ok: true, messageIds: [] };
  }

  finish(finalText: string): Promise<SendResult> {
    if (this.#closed) return Promise.resolve({ ok: false, error: this.#finished('finish') });
    this.#closed = true;
    return this.#o.send(this.#o.chat, this.#message(finalText));
  }

  abort(note: string): Promise<SendResult> {
    if (this.#closed) return Promise.resolve({ ok: false, error: this.#finished('abort') });
    this.#closed = true;
    const text = [this.#lastText.trimEnd(), note.trim()].filter((t) => t !== '').join('\n\n');
    return this.#o.send(this.#o.chat, this.#message(text === '' ? '…' : text));
  }

  #message(text: string): OutboundMessage {
    const msg: OutboundMessage = { text };
    if (this.#o.replyTo !== undefined) msg.replyTo = this.#o.replyTo;
    if (this.#o.threadId !== undefined) msg.threadId = this.#o.threadId;
    return msg;
  }

  async #draft(text: string, format: 'markdown' | 'plain'): Promise<void> {
    const { deps, chat } = this.#o;
    const chunks = prepareOutboundText(text, deps.capabilities, format).filter(
      (c) => c.rendered.trim() !== '',
    );
    const shown = chunks.at(-1)?.rendered;
    // Telegram refuses an empty draft; nothing to show yet is not an error.
    if (shown === undefined) return;
    const params: TelegramDraftParams = {
      chat_id: chatIdParam(chat.chatId),
      draft_id: this.#draftId,
      text: shown,
    };
    if (format === 'markdown') params.parse_mode = 'HTML';
    const thread = this.#o.threadId ?? chat.threadId;
    if (thread !== undefined && /^\d+$/.test(thread)) params.message_thread_id = Number(thread);
    await deps.pacer.run(chat.chatId, () => sendMessageDraft(deps.api, params));
    this.#o.onDraft();
  }

  #finished(what: string): AdapterError {
    return new AdapterError('bad_request', `Telegram stream ${what}: the stream already finished`, {
      platform: TELEGRAM_PLATFORM,
      retryable: false,
      fix: 'call finish() or abort() once, after the last update()',
    });
  }
}

/** Drafts exist in private chats only; anywhere else the host streams with edits. */
export function draftsAllowedIn(chat: ChatRef): boolean {
  return chat.chatType === 'dm' && /^\d+$/.test(chat.chatId);
}
