import { normalizeWecomUserId } from './user-id.js';

/**
 * What WeCom itself needs decided at intake, before a callback's reply token is cached: whether DMs and
 * groups reach the host at all, and which groups and group members may use the bot. Who may talk to the
 * bot (WECOM_ALLOWED_USERS, WECOM_ALLOW_ALL_USERS, pairing codes) is decided once, by the host.
 * `open`, `allowlist` and `pairing` hand DMs to the host; groups never pair, so `pairing` blocks them.
 */
export type WecomPolicy = 'open' | 'allowlist' | 'disabled' | 'pairing';

export interface WecomAccessConfig {
  dmPolicy: WecomPolicy;
  groupPolicy: WecomPolicy;
  /** Group chat ids allowed under `allowlist`. */
  groupAllowFrom: readonly string[];
  /** Per-group sender lists; `*` applies to every group without its own entry. */
  groups: Readonly<Record<string, { allowFrom?: readonly string[] }>>;
}

export interface WecomAccessSubject {
  chatType: 'dm' | 'group';
  chatId: string;
  senderId: string;
}

export type WecomAccessDecision =
  | { allowed: true; policy: WecomPolicy }
  | { allowed: false; policy: WecomPolicy; reason: string };

function toSet(list: readonly string[]): ReadonlySet<string> {
  return new Set(list.map(normalizeWecomUserId).filter((s) => s.length > 0));
}

function matches(set: ReadonlySet<string>, id: string): boolean {
  return set.has('*') || set.has(normalizeWecomUserId(id));
}

export interface WecomAccessPolicy {
  check(subject: WecomAccessSubject): WecomAccessDecision;
}

export function createWecomAccessPolicy(config: WecomAccessConfig): WecomAccessPolicy {
  const groupsAllowed = toSet(config.groupAllowFrom);
  const senderLists = new Map<string, ReadonlySet<string>>();
  for (const [chatId, entry] of Object.entries(config.groups)) {
    if (entry.allowFrom)
      senderLists.set(chatId === '*' ? '*' : normalizeWecomUserId(chatId), toSet(entry.allowFrom));
  }

  const checkDm = (): WecomAccessDecision => {
    const policy = config.dmPolicy;
    if (policy === 'disabled') return { allowed: false, policy, reason: 'direct messages are disabled' };
    return { allowed: true, policy };
  };

  const checkGroup = (chatId: string, senderId: string): WecomAccessDecision => {
    const policy = config.groupPolicy;
    if (policy === 'disabled') return { allowed: false, policy, reason: 'group messages are disabled' };
    if (policy === 'pairing')
      return { allowed: false, policy, reason: 'pairing is for DMs only; groups are blocked' };
    if (policy === 'allowlist' && !matches(groupsAllowed, chatId)) {
      return { allowed: false, policy, reason: 'group is not in the group allow list' };
    }
    const senders = senderLists.get(normalizeWecomUserId(chatId)) ?? senderLists.get('*');
    if (senders && !matches(senders, senderId)) {
      return { allowed: false, policy, reason: 'sender is not in this group’s allow list' };
    }
    return { allowed: true, policy };
  };

  return {
    check(subject) {
      if (!subject.senderId.trim()) {
        const policy = subject.chatType === 'dm' ? config.dmPolicy : config.groupPolicy;
        return { allowed: false, policy, reason: 'message has no sender' };
      }
      return subject.chatType === 'dm' ? checkDm() : checkGroup(subject.chatId, subject.senderId);
    },
  };
}
