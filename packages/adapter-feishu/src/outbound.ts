import { randomBytes } from 'node:crypto';
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

/** A fresh id per send() call: each chunk's `uuid` is derived from it, and retries reuse it. */
function sendId(): string {
  return randomBytes(12).toString('hex');
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
  const id = sendId();
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
        `${id}-${index}`,
        chunk.rendered,
      );
      if (withButtons) deps.rememberCard(sent.messageId, { text: chunk.rendered, actions });
      messageIds.push(sent.messageId);
    }
    for (const [index, item] of media.entries()) {
      const body = await deps.pacer.run(key, () => uploadFeishuMedia(deps.rest, item));
      const first = chunks.length === 0 && index === 0;
      const sent = await postBody(deps, stats, key, targetFor(first), body, `${id}-m${index}`, undefined);
      messageIds.push(sent.messageId);
      if (item.caption) {
        const caption = await postBody(
          deps,
          stats,
          key,
          targetFor(false),
          feishuTextBody(item.caption, format),
          `${id}-c${index}`,
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
