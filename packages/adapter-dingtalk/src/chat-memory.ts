import { RecentMap } from '@hermes/adapter-core';
import { DINGTALK_DEDUP_MAX_ENTRIES, DINGTALK_WEBHOOK_CACHE_SIZE } from './constants.js';
import type { DingtalkReactionTarget } from './emotions.js';
import type { DingtalkInboundMeta } from './inbound.js';
import { DingtalkSessionWebhooks, type DingtalkWebhookVerdict } from './session-webhooks.js';

/**
 * What inbound traffic taught the adapter about where to answer: each chat's session webhook, whether a chat
 * id is a group, each message's conversation (for reactions) and the robot code DingTalk uses. Bounded, and
 * kept across stop()/start() of one adapter object (a webhook learned before a restart is still valid).
 */
export class DingtalkChatMemory {
  readonly webhooks: DingtalkSessionWebhooks;
  readonly #kinds = new RecentMap<boolean>(DINGTALK_WEBHOOK_CACHE_SIZE * 4);
  readonly #messages = new RecentMap<DingtalkReactionTarget>(DINGTALK_DEDUP_MAX_ENTRIES);
  #robotCode: string | undefined;

  constructor(apiBase: string) {
    this.webhooks = new DingtalkSessionWebhooks({ apiBase });
  }

  /** Records an accepted message; says why its webhook was not kept, if it was not. */
  learn(chatId: string, meta: DingtalkInboundMeta): DingtalkWebhookVerdict {
    this.#kinds.set(chatId, meta.isGroup);
    this.#messages.set(meta.msgId, { msgId: meta.msgId, conversationId: meta.conversationId });
    if (meta.robotCode) this.#robotCode = meta.robotCode;
    if (!meta.webhook) return { ok: false, reason: 'the message carried no session webhook' };
    return this.webhooks.remember(chatId, meta.webhook.url, meta.webhook.expiresAt);
  }

  /** True for groups, false for DMs, undefined for chats no message came from. */
  isGroup(chatId: string): boolean | undefined {
    return this.#kinds.get(chatId);
  }

  reactionTarget(msgId: string): DingtalkReactionTarget | undefined {
    return this.#messages.get(msgId);
  }

  /** The robot code inbound messages carried, if any. */
  get learnedRobotCode(): string | undefined {
    return this.#robotCode;
  }
}
