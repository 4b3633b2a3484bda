import type { DiscordConfig } from '../config.js';

/** What the gate needs to know about one message, read off the discord.js Message by the adapter. */
export interface DiscordMessageFacts {
  authorId: string;
  authorIsBot: boolean;
  /** Written by this bot (the gateway echoes the bot's own posts). */
  isSelf: boolean;
  /** A system message (join, pin, thread created...) rather than something a person wrote. */
  isSystem: boolean;
  inGuild: boolean;
  channelId: string;
  /** The channel a thread belongs to. */
  parentId?: string;
  isThread: boolean;
  /** A thread the bot opened or has spoken in: no mention needed there. */
  isBotThread: boolean;
  mentionsBot: boolean;
  /** Mentions some other user (not the bot). */
  mentionsOthers: boolean;
  /** Ids and names of the author's roles in this server. */
  roles: { ids: readonly string[]; names: readonly string[] };
  /** A text or announcement channel, where a thread can be opened from a message. */
  canOpenThread: boolean;
}

export type DiscordIntakePolicy = Pick<
  DiscordConfig,
  | 'requireMention'
  | 'freeResponseChannels'
  | 'allowedChannels'
  | 'ignoredChannels'
  | 'noThreadChannels'
  | 'allowedRoles'
  | 'allowedUsers'
  | 'autoThread'
  | 'ignoreNoMention'
  | 'allowBots'
>;

export type DiscordDropReason =
  | 'echo'
  | 'bot'
  | 'system'
  | 'ignored-channel'
  | 'channel-not-allowed'
  | 'role-not-allowed'
  | 'no-mention'
  | 'mentions-others';

export type DiscordIntakeDecision =
  | { accept: true; openThread: boolean }
  | { accept: false; reason: DiscordDropReason };

const drop = (reason: DiscordDropReason): DiscordIntakeDecision => ({ accept: false, reason });

function listed(list: readonly string[], facts: DiscordMessageFacts): boolean {
  return list.includes(facts.channelId) || (facts.parentId !== undefined && list.includes(facts.parentId));
}

/**
 * Which messages reach the host (spec 3.4 and Hermes' Discord docs). DMs pass after the echo, bot and
 * system filters; the host then checks DISCORD_ALLOWED_USERS. In servers, in this order: ignored
 * channels, the channel allowlist, the role allowlist (a user named in DISCORD_ALLOWED_USERS passes it
 * too), then the mention rule. A channel, its threads included, is free when listed in
 * DISCORD_FREE_RESPONSE_CHANNELS; a thread of the bot's is free too.
 */
export function decideDiscordIntake(
  facts: DiscordMessageFacts,
  policy: DiscordIntakePolicy,
): DiscordIntakeDecision {
  if (facts.isSelf) return drop('echo');
  if (facts.authorIsBot) {
    if (policy.allowBots === 'none') return drop('bot');
    if (policy.allowBots === 'mentions' && !facts.mentionsBot) return drop('bot');
  }
  if (facts.isSystem) return drop('system');
  if (!facts.inGuild) return { accept: true, openThread: false };

  if (listed(policy.ignoredChannels, facts)) return drop('ignored-channel');
  if (policy.allowedChannels.length > 0 && !listed(policy.allowedChannels, facts))
    return drop('channel-not-allowed');
  if (policy.allowedRoles.length > 0 && !policy.allowedUsers.includes(facts.authorId)) {
    const wanted = new Set(policy.allowedRoles.map((r) => r.toLowerCase()));
    const has =
      facts.roles.ids.some((id) => wanted.has(id)) ||
      facts.roles.names.some((name) => wanted.has(name.toLowerCase()));
    if (!has) return drop('role-not-allowed');
  }

  const freeChannel = listed(policy.freeResponseChannels, facts);
  const free = !policy.requireMention || freeChannel || (facts.isThread && facts.isBotThread);
  if (!facts.mentionsBot) {
    if (!free) return drop('no-mention');
    // Someone else was addressed: do not butt into their conversation.
    if (policy.ignoreNoMention && facts.mentionsOthers) return drop('mentions-others');
  }

  const openThread =
    facts.mentionsBot &&
    policy.autoThread &&
    facts.canOpenThread &&
    !facts.isThread &&
    !freeChannel &&
    !listed(policy.noThreadChannels, facts);
  return { accept: true, openThread };
}
