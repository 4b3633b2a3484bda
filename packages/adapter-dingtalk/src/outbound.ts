import { randomUUID } from 'node:crypto';
import {
  AdapterError,
  type ChatRef,
  type Logger,
  type OutboundMedia,
  type OutboundMessage,
  type SendPacer,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import { isDingtalkGroupChat } from './chat-route.js';
import { DINGTALK_MESSAGE_TITLE, DINGTALK_PLATFORM } from './constants.js';
import { formatDingtalkText } from './format.js';
import { dingtalkMediaNote, prepareDingtalkMedia } from './media-out.js';
import {
  type DingtalkMarkdown,
  type DingtalkRobotApi,
  type DingtalkRobotMessage,
  dingtalkMarkdownMessage,
} from './robot-api.js';
import type { DingtalkSessionWebhooks } from './session-webhooks.js';

export interface DingtalkSendStats {
  /** Chunks sent through a chat's session webhook. */
  webhook: number;
  /** Chunks sent through the robot OpenAPI (no usable webhook). */
  proactive: number;
  /** Webhooks DingTalk refused, after which the chunk went proactively. */
  webhookFallbacks: number;
}

export interface DingtalkSendDeps {
  api: DingtalkRobotApi;
  webhooks: DingtalkSessionWebhooks;
  pacer: SendPacer;
  logger: Logger;
  robotCode(): string;
  /** What inbound traffic taught about a chat id: true for groups, false for DMs, undefined if unknown. */
  isGroup(chatId: string): boolean | undefined;
  stats: DingtalkSendStats;
}

/** Errors that mean DingTalk did not take the message from that webhook, so another route cannot duplicate it. */
const WEBHOOK_REFUSALS = new Set([
  'dingtalk_rejected',
  'bad_request',
  'not_found',
  'forbidden',
  'auth_failed',
]);

/** Groups by open conversation id, DMs by staff id. */
function isGroupChat(deps: DingtalkSendDeps, chat: ChatRef): boolean {
  return isDingtalkGroupChat(deps.isGroup(chat.chatId), chat.chatId);
}

async function sendProactive(
  deps: DingtalkSendDeps,
  chat: ChatRef,
  message: DingtalkRobotMessage,
): Promise<string> {
  const robotCode = deps.robotCode();
  const id = isGroupChat(deps, chat)
    ? await deps.api.sendToGroup(robotCode, chat.chatId, message)
    : await deps.api.sendToUser(robotCode, chat.chatId, message);
  deps.stats.proactive++;
  return id;
}

/**
 * One chunk: through the chat's session webhook while it is valid, else (expired, never seen, refused)
 * proactively through the robot OpenAPI, so cron output and replies after a restart still arrive.
 */
async function sendChunk(deps: DingtalkSendDeps, chat: ChatRef, text: string): Promise<string> {
  const markdown: DingtalkMarkdown = { title: DINGTALK_MESSAGE_TITLE, text };
  const url = deps.webhooks.get(chat.chatId);
  if (url !== undefined) {
    try {
      await deps.api.postSessionWebhook(url, markdown);
      deps.stats.webhook++;
      return `webhook-${randomUUID()}`;
    } catch (raw) {
      const error = toAdapterError(raw, DINGTALK_PLATFORM);
      if (!WEBHOOK_REFUSALS.has(error.code)) throw error;
      deps.webhooks.forget(chat.chatId, url);
      deps.stats.webhookFallbacks++;
      deps.logger.warn('DingTalk refused the session webhook; sending proactively instead', {
        chatId: chat.chatId,
        code: error.code,
      });
    }
  }
  return sendProactive(deps, chat, dingtalkMarkdownMessage(markdown));
}

/** Errors after which the file will not go through however often it is tried: say so in the chat instead. */
const MEDIA_REFUSALS = new Set(['too_large', 'dingtalk_rejected', 'bad_request', 'forbidden', 'not_found']);

/**
 * One file: uploaded (`media/upload`) and posted through the robot API, the only route that carries
 * files. If DingTalk refuses it (type, size, permission), the chat gets a note naming the file instead.
 */
async function sendMedia(deps: DingtalkSendDeps, chat: ChatRef, media: OutboundMedia): Promise<string> {
  try {
    const prepared = await prepareDingtalkMedia(media);
    return await deps.pacer.run(chat.chatId, async () => {
      const mediaId = await deps.api.uploadMedia(prepared.uploadType, media.path, prepared.name);
      return sendProactive(deps, chat, prepared.message(mediaId));
    });
  } catch (raw) {
    const error = toAdapterError(raw, DINGTALK_PLATFORM);
    if (!MEDIA_REFUSALS.has(error.code)) throw error;
    deps.logger.warn('DingTalk refused a file; sending a note instead', {
      chatId: chat.chatId,
      code: error.code,
    });
    const note = dingtalkMediaNote(
      media,
      error.code === 'too_large' ? 'it is over 20 MB' : 'DingTalk refused it',
    );
    return deps.pacer.run(chat.chatId, () => sendChunk(deps, chat, note));
  }
}

/**
 * Sends one OutboundMessage: text rendered and split by core to 20,000 characters, chunks in order through
 * the pacer (per-chat order, throttling honoured, retryable failures retried), then each file (uploaded, or a
 * note naming it when DingTalk refuses it).
 * Never throws: failures come back as { ok: false }.
 */
export async function sendDingtalkMessage(
  deps: DingtalkSendDeps,
  chat: ChatRef,
  message: OutboundMessage,
): Promise<SendResult> {
  const texts = message.text ? formatDingtalkText(message.text, message.format).map((c) => c.rendered) : [];
  const chunks = texts.filter((t) => t.trim().length > 0);
  const media = message.media ?? [];
  if (chunks.length === 0 && media.length === 0) {
    return {
      ok: false,
      error: new AdapterError('bad_request', 'nothing to send: the message has no text and no media', {
        platform: DINGTALK_PLATFORM,
      }),
    };
  }
  const messageIds: string[] = [];
  try {
    for (const chunk of chunks) {
      messageIds.push(await deps.pacer.run(chat.chatId, () => sendChunk(deps, chat, chunk)));
    }
    for (const item of media) {
      // Robot file messages have no caption field: the caption goes just before the file.
      if (item.caption?.trim()) {
        const caption = item.caption;
        messageIds.push(await deps.pacer.run(chat.chatId, () => sendChunk(deps, chat, caption)));
      }
      messageIds.push(await sendMedia(deps, chat, item));
    }
    return { ok: true, messageIds };
  } catch (error) {
    return { ok: false, error: toAdapterError(error, DINGTALK_PLATFORM) };
  }
}
