import { normalizeTelegramUserId } from '../user-id.js';
import type { TelegramAddressing } from './addressing.js';

/** The group rules the adapter applies at intake; DM access is the host's (TELEGRAM_ALLOWED_USERS, pairing). */
export interface TelegramGroupRules {
  requireMention: boolean;
  /** Ids or usernames (with or without @); `*` allows everyone. Empty: no restriction. */
  groupAllowedUsers: readonly string[];
  /** Chat ids; `*` allows every group. Empty: no restriction. */
  groupAllowedChats: readonly string[];
}

export type TelegramGateDecision = { pass: true } | { pass: false; reason: string };

function listed(list: readonly string[], candidates: readonly string[]): boolean {
  const wanted = new Set(list.map(normalizeTelegramUserId));
  return wanted.has('*') || candidates.some((c) => wanted.has(normalizeTelegramUserId(c)));
}

/** Decides whether a group message reaches the host. Commands need no mention unless meant for another bot. */
export function gateGroupMessage(
  subject: { chatId: string; senderId: string; senderUsername?: string | undefined },
  addressing: TelegramAddressing,
  rules: TelegramGroupRules,
): TelegramGateDecision {
  if (rules.groupAllowedChats.length > 0 && !listed(rules.groupAllowedChats, [subject.chatId])) {
    return { pass: false, reason: 'chat not in TELEGRAM_GROUP_ALLOWED_CHATS' };
  }
  const ids = subject.senderUsername ? [subject.senderId, subject.senderUsername] : [subject.senderId];
  if (rules.groupAllowedUsers.length > 0 && !listed(rules.groupAllowedUsers, ids)) {
    return { pass: false, reason: 'sender not in TELEGRAM_GROUP_ALLOWED_USERS' };
  }
  if (addressing.commandForOtherBot) return { pass: false, reason: 'command addressed to another bot' };
  if (rules.requireMention && !addressing.mentionsBot && !addressing.isCommand) {
    return { pass: false, reason: 'no mention while TELEGRAM_REQUIRE_MENTION is on' };
  }
  return { pass: true };
}
