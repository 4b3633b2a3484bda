import { createHash, randomBytes } from 'node:crypto';
import {
  AdapterError,
  type ChatRef,
  type Logger,
  type MessageAction,
  type OutboundMessage,
  type SendPacer,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import { FEISHU_CODES, FEISHU_PLATFORM } from './constants.js';
import { type FeishuBody, feishuCardBody, feishuTextBody, formatFeishuText } from './format.js';
import { uploadFeishuMedia } from './media-out.js';
import type { FeishuRestClient, FeishuSentMessage } from './rest-client.js';
import { FeishuApiError } from './rest-errors.js';

export interface FeishuOutboundDeps {
  rest: FeishuRestClient;
  pacer: SendPacer;
  logger: Logger;
  /** Remembers the cards with buttons, so settleActions can redraw them without the buttons. */
  rememberCard(messageId: string, card: { text: string; actions: readonly MessageAction[] }): void;
  /** Remembers what msg_type each message went out as, so an edit keeps it. */
  rememberType(messageId: string, msgType: string): void;
}

export interface FeishuSendStats {
  replyFallbacks: number;
  plainTextResends: number;
}

/** Where one message goes: a reply (in a thread or not) or a new message in the chat. */
interface Target {
  chatId: string;
  parentId?: string;
  inThread: boolean;
}

/** Feishu's documented cap on the `uuid` body field of "send message" and "reply message". */
export const FEISHU_UUID_MAX_CHARS = 50;

/** Keys up to this long, of these characters, are used as they are; others are hashed (see uuidBase). */
const LITERAL_KEY = /^[A-Za-z0-9_.-]{1,32}$/;

/**
 * The stem every `uuid` of one send() is built from. With the host's `idempotencyKey` it is derived from
 * the key alone, so the host's repeat of the send (after a timeout or a crash) carries the very uuids of the
 * first try and Feishu creates nothing new. Without a key it is random per call: retries inside this call
 * still share it, a new call never does.
 *
 * A key longer than 32 characters, or with characters Feishu might not take, becomes 36 characters of its
 * SHA-256 (base64url): still deterministic, never equal to a literal key (those are at most 32), and leaving
 * room under the 50-character cap for the per-message suffix.
 */
export function uuidBase(idempotencyKey: string | undefined): string {
  if (idempotencyKey === undefined || idempotencyKey === '') return randomBytes(12).toString('hex');
  if (LITERAL_KEY.test(idempotencyKey)) return idempotencyKey;
  return createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, 36);
}

/**
 * The uuid of one platform message of a send: `<base>.<part>`, where part is the chunk index, `m<i>` for
 * the i-th media message or `c<i>` for its caption. Parts never contain a dot, so the last dot splits a uuid
 * unambiguously and two different keys or parts never share a uuid. The fallbacks in postBody add `-n` /
 * `-p` to the part (a different message than the one first tried, so it needs a uuid of its own).
 */
export function feishuUuid(base: string, part: string): string {
  return `${base}.${part}`;
}

function isReplyTargetGone(error: unknown): boolean {
  return (
    error instanceof FeishuApiError &&
    (error.feishuCode === FEISHU_CODES.messageWithdrawn || error.feishuCode === FEISHU_CODES.replyTargetGone)
  );
}

/**
 * Posts one body. Replies fall back to a new message when the target was withdrawn or is gone
 * (230011 / 231003); a post Feishu cannot parse is resent once as plain text. Every attempt carries a
 * `uuid`, so Feishu drops a resend of a message it already has (retries after a lost answer are safe).
 */
async function postBody(
  deps: FeishuOutboundDeps,
  stats: FeishuSendStats,
  key: string,
  target: Target,
  body: FeishuBody,
  uuid: string,
  plainText: string | undefined,
): Promise<FeishuSentMessage> {
  const once = async (b: FeishuBody, u: string, t: Target): Promise<FeishuSentMessage> => {
    const sent = await deps.pacer.run(key, () =>
      t.parentId
        ? deps.rest.replyMessage({
            parentId: t.parentId,
            msgType: b.msgType,
            content: b.content,
            uuid: u,
            inThread: t.inThread,
          })
        : deps.rest.createMessage({ chatId: t.chatId, msgType: b.msgType, content: b.content, uuid: u }),
    );
    deps.rememberType(sent.messageId, b.msgType);
    return sent;
  };
  const withFallback = async (b: FeishuBody, u: string): Promise<FeishuSentMessage> => {
    try {
      return await once(b, u, target);
    } catch (error) {
      if (target.parentId && isReplyTargetGone(error)) {
        stats.replyFallbacks++;
        deps.logger.info('Feishu reply target is gone; sending as a new message', {
          code: (error as FeishuApiError).feishuCode,
        });
        return once(b, `${u}-n`, { chatId: target.chatId, inThread: false });
      }
      throw error;
    }
  };
  try {
    return await withFallback(body, uuid);
  } catch (error) {
    if (
      body.msgType === 'post' &&
      plainText !== undefined &&
      toAdapterError(error).code === 'formatting_rejected'
    ) {
      stats.plainTextResends++;
      deps.logger.warn('Feishu rejected the post; resending as plain text');
      return withFallback(feishuTextBody(plainText, 'plain'), `${uuid}-p`);
    }
    throw error;
  }
}

/**
 * Sends one OutboundMessage: text split by core, chunks in order through the pacer (per-chat order,
 * retry-after honoured), the first chunk replying to `replyTo`, buttons on the last chunk (as a card),
 * then the media. Never throws.
 */
export async function sendFeishuMessage(
  deps: FeishuOutboundDeps,
  stats: FeishuSendStats,
  chat: ChatRef,
  message: OutboundMessage,
): Promise<SendResult> {
  const format = message.format ?? 'markdown';
  const chunks = message.text ? formatFeishuText(message.text, format) : [];
  const media = message.media ?? [];
  if (chunks.length === 0 && media.length === 0) {
    return {
      ok: false,
      error: new AdapterError('bad_request', 'nothing to send: the message has no text and no media', {
        platform: FEISHU_PLATFORM,
      }),
    };
  }
  const key = chat.chatId;
  const threadId = message.threadId ?? chat.threadId;
  // Derived from the host's key when there is one: the same key gives the same uuids on every try.
  const base = uuidBase(message.idempotencyKey);
  const actions = message.actions ?? [];
  const messageIds: string[] = [];
  const targetFor = (first: boolean): Target => {
    const parentId = (first ? message.replyTo : undefined) ?? threadId;
    return { chatId: chat.chatId, ...(parentId ? { parentId } : {}), inThread: threadId !== undefined };
  };
  try {
    for (const [index, chunk] of chunks.entries()) {
      const last = index === chunks.length - 1;
      const withButtons = last && actions.length > 0;
      const body = withButtons
        ? feishuCardBody(chunk.rendered, actions)
        : feishuTextBody(chunk.rendered, format);
      const sent = await postBody(
        deps,
        stats,
        key,
        targetFor(index === 0),
        body,
        feishuUuid(base, String(index)),
        chunk.rendered,
      );
      if (withButtons) deps.rememberCard(sent.messageId, { text: chunk.rendered, actions });
      messageIds.push(sent.messageId);
    }
    for (const [index, item] of media.entries()) {
      const body = await deps.pacer.run(key, () => uploadFeishuMedia(deps.rest, item));
      const first = chunks.length === 0 && index === 0;
      const sent = await postBody(
        deps,
        stats,
        key,
        targetFor(first),
        body,
        feishuUuid(base, `m${index}`),
        undefined,
      );
      messageIds.push(sent.messageId);
      if (item.caption) {
        const caption = await postBody(
          deps,
          stats,
          key,
          targetFor(false),
          feishuTextBody(item.caption, format),
          feishuUuid(base, `c${index}`),
          item.caption,
        );
        messageIds.push(caption.messageId);
      }
    }
    return { ok: true, messageIds };
  } catch (error) {
    return { ok: false, error: toAdapterError(error, FEISHU_PLATFORM) };
  }
}
