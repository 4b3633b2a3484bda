import type { Attachment, ChatRef, InboundMessage } from '@hermes/adapter-core';
import { FEISHU_PLATFORM } from './constants.js';
import {
  type BotIdentity,
  type FeishuMention,
  type FeishuResourceRef,
  parseFeishuContent,
} from './inbound-content.js';

/**
 * What one `im.message.receive_v1` became. `ignored`: not a user message to answer (echoes, other bots,
 * other apps' events, system messages). `malformed`: logged and dropped; never thrown.
 */
export type FeishuInbound =
  | { kind: 'message'; message: InboundMessage; messageType: string }
  | { kind: 'ignored'; reason: string }
  | { kind: 'malformed'; problem: string };

export interface FeishuInboundContext {
  /** This adapter's app: events addressed to another app are ignored (the wrong app must not reply). */
  appId: string;
  bot: BotIdentity;
  allowBots: boolean;
  attachment(ref: FeishuResourceRef, messageId: string): Attachment;
  now(): Date;
}

/** The event as the SDK's EventDispatcher hands it over: header fields and event fields side by side. */
interface FlatMessageEvent {
  app_id?: unknown;
  event_id?: unknown;
  sender?: {
    sender_id?: { open_id?: unknown; union_id?: unknown; user_id?: unknown };
    sender_type?: unknown;
  };
  message?: {
    message_id?: unknown;
    root_id?: unknown;
    parent_id?: unknown;
    chat_id?: unknown;
    chat_type?: unknown;
    message_type?: unknown;
    content?: unknown;
    mentions?: unknown;
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function mapFeishuInbound(payload: unknown, context: FeishuInboundContext): FeishuInbound {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return { kind: 'malformed', problem: 'the event is not a JSON object' };
  const event = payload as FlatMessageEvent;
  const appId = str(event.app_id);
  if (appId !== undefined && appId !== context.appId)
    return { kind: 'ignored', reason: `event for another app (${appId}); this adapter is ${context.appId}` };
  const m = event.message;
  const messageId = str(m?.message_id);
  const chatId = str(m?.chat_id);
  const messageType = str(m?.message_type);
  const senderId = str(event.sender?.sender_id?.open_id);
  if (!m || !messageId || !chatId || !messageType)
    return {
      kind: 'malformed',
      problem: 'im.message.receive_v1 without message.message_id, chat_id or message_type',
    };
  if (!senderId) return { kind: 'malformed', problem: `message ${messageId} has no sender open_id` };
  const isBot = event.sender?.sender_type === 'app';
  if (context.bot.openId !== undefined && senderId === context.bot.openId)
    return { kind: 'ignored', reason: 'the bot’s own message' };
  if (isBot && !context.allowBots)
    return { kind: 'ignored', reason: 'message from another bot (FEISHU_ALLOW_BOTS is off)' };

  let content: Record<string, unknown> = {};
  if (typeof m.content === 'string' && m.content !== '') {
    try {
      const parsed = JSON.parse(m.content) as unknown;
      if (typeof parsed === 'object' && parsed !== null) content = parsed as Record<string, unknown>;
    } catch {
      return { kind: 'malformed', problem: `message ${messageId}: content is not JSON` };
    }
  }
  const mentions = Array.isArray(m.mentions) ? (m.mentions as FeishuMention[]) : [];
  const parsed = parseFeishuContent(messageType, content, mentions, context.bot);
  if (!parsed) return { kind: 'ignored', reason: `message type ${messageType} is not handled` };

  const rootId = str(m.root_id);
  const parentId = str(m.parent_id);
  const chat: ChatRef = {
    platform: FEISHU_PLATFORM,
    chatId,
    chatType: m.chat_type === 'p2p' ? 'dm' : 'group',
    ...(rootId ? { threadId: rootId } : {}),
  };
  const unionId = str(event.sender?.sender_id?.union_id);
  const message: InboundMessage = {
    id: messageId,
    chat,
    sender: { id: senderId, ...(unionId ? { altId: unionId } : {}), isBot },
    text: parsed.text,
    mentionsBot: parsed.mentionsBot,
    ...(parentId ? { replyTo: { id: parentId } } : {}),
    attachments: parsed.resources.map((ref) => context.attachment(ref, messageId)),
    receivedAt: context.now(),
    raw: payload,
  };
  if (message.text === '' && message.attachments.length === 0)
    return { kind: 'ignored', reason: `message ${messageId} has neither text nor media` };
  return { kind: 'message', message, messageType };
}
