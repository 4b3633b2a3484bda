import type { DingtalkConfig } from './config.js';

export type DingtalkGateDecision =
  | { deliver: true; mentionsBot: boolean }
  | { deliver: false; reason: string };

export interface DingtalkGate {
  /** Group rules of the Python gateway; DMs always pass (the host's allowlist decides who may talk). */
  check(chat: { chatId: string; isGroup: boolean }, text: string, isInAtList: boolean): DingtalkGateDecision;
}

/**
 * Mention gating as the Python gateway does it: in groups a message counts as addressed to the bot when
 * DingTalk lists the bot in `isInAtList` or the text matches one of DINGTALK_MENTION_PATTERNS; with
 * DINGTALK_REQUIRE_MENTION only those pass, except in DINGTALK_FREE_RESPONSE_CHATS. DINGTALK_ALLOWED_CHATS,
 * when set, drops every other group.
 */
export function createDingtalkGate(
  config: Pick<DingtalkConfig, 'requireMention' | 'mentionPatterns' | 'freeResponseChats' | 'allowedChats'>,
): DingtalkGate {
  const patterns = config.mentionPatterns.map((p) => new RegExp(p, 'iu'));
  const free = new Set(config.freeResponseChats);
  const allowed = new Set(config.allowedChats);
  return {
    check(chat, text, isInAtList) {
      if (!chat.isGroup) return { deliver: true, mentionsBot: true };
      if (allowed.size > 0 && !allowed.has(chat.chatId)) {
        return { deliver: false, reason: 'group is not in DINGTALK_ALLOWED_CHATS' };
      }
      const mentioned = isInAtList || patterns.some((re) => re.test(text));
      if (config.requireMention && !mentioned && !free.has(chat.chatId)) {
        return { deliver: false, reason: 'group message without a mention (DINGTALK_REQUIRE_MENTION)' };
      }
      return { deliver: true, mentionsBot: mentioned };
    },
  };
}
