/**
 * Who may reach the host at all, decided at intake (before any reply token is cached). `pairing` lets DMs
 * through so that the host can hand out pairing codes; groups never pair.
 */
export type WecomPolicy = 'open' | 'allowlist' | 'disabled' | 'pairing';

export interface WecomAccessConfig {
  dmPolicy: WecomPolicy;
  groupPolicy: WecomPolicy;
  /** DM senders allowed under `allowlist`. */
  allowFrom: readonly string[];
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

/** `wecom:user:Alice` and `alice` are the same person; `*` stays the wildcard. */
export function normalizeWecomId(id: string): string {
  let out = id.trim();
  if (out.toLowerCase().startsWith('wecom:')) out = out.slice('wecom:'.length);
  const lower = out.toLowerCase();
  if (lower.startsWith('user:')) out = out.slice('user:'.length);
  else if (lower.startsWith('group:')) out = out.slice('group:'.length);
  return out.trim().toLowerCase();
}

function toSet(list: readonly string[]): ReadonlySet<string> {
  return new Set(list.map(normalizeWecomId).filter((s) => s.length > 0));
}

function matches(set: ReadonlySet<string>, id: string): boolean {
  return set.has('*') || set.has(normalizeWecomId(id));
}

export interface WecomAccessPolicy {
  check(subject: WecomAccessSubject): WecomAccessDecision;
}

export function createWecomAccessPolicy(config: WecomAccessConfig): WecomAccessPolicy {
  const dmAllowed = toSet(config.allowFrom);
  const groupsAllowed = toSet(config.groupAllowFrom);
  const senderLists = new Map<string, ReadonlySet<string>>();
  for (const [chatId, entry] of Object.entries(config.groups)) {
    if (entry.allowFrom)
      senderLists.set(chatId === '*' ? '*' : normalizeWecomId(chatId), toSet(entry.allowFrom));
  }

  const checkDm = (senderId: string): WecomAccessDecision => {
    const policy = config.dmPolicy;
    if (policy === 'disabled') return { allowed: false, policy, reason: 'direct messages are disabled' };
    if (policy === 'allowlist' && !matches(dmAllowed, senderId)) {
      return { allowed: false, policy, reason: 'sender is not in the DM allow list' };
    }
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
    const senders = senderLists.get(normalizeWecomId(chatId)) ?? senderLists.get('*');
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
      return subject.chatType === 'dm'
        ? checkDm(subject.senderId)
        : checkGroup(subject.chatId, subject.senderId);
    },
  };
}
