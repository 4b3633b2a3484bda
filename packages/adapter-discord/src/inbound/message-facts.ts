import { ChannelType, type Message, MessageType } from 'discord.js';
import type { DiscordMessageFacts } from './intake-gate.js';
import { textMentionsUser } from './mentions.js';

/** Message types a person writes; joins, pins, boosts and "thread created" notices are not questions. */
const CONVERSATION_TYPES: ReadonlySet<MessageType> = new Set([MessageType.Default, MessageType.Reply]);
const THREADABLE: ReadonlySet<ChannelType> = new Set([ChannelType.GuildText, ChannelType.GuildAnnouncement]);

/** The bot's managed role in this message's server, if any (people often @ the role instead of the bot). */
export function botRoleIds(message: Message, botId: string): string[] {
  const role = message.guild?.roles.botRoleFor(botId);
  return role ? [role.id] : [];
}

/** Reads what the intake gate needs off a discord.js Message. */
export function discordMessageFacts(
  message: Message,
  botId: string,
  isBotThread: (threadId: string, ownerId: string | null) => boolean,
): DiscordMessageFacts {
  const channel = message.channel;
  const roleIds = botRoleIds(message, botId);
  const mentions = message.mentions;
  const mentionsBot =
    mentions.users.has(botId) ||
    textMentionsUser(message.content, botId) ||
    roleIds.some((id) => mentions.roles.has(id)) ||
    // A reply to one of the bot's messages is addressed to it, pinged or not.
    (message.type === MessageType.Reply && mentions.repliedUser?.id === botId);
  const mentionsOthers = mentions.users.some((u) => u.id !== botId && u.id !== message.author.id);
  const thread = channel.isThread() ? channel : undefined;
  const memberRoles = message.member?.roles.cache;
  const facts: DiscordMessageFacts = {
    authorId: message.author.id,
    authorIsBot: message.author.bot || message.webhookId !== null,
    isSelf: message.author.id === botId,
    isSystem: !CONVERSATION_TYPES.has(message.type),
    inGuild: message.inGuild(),
    channelId: message.channelId,
    isThread: thread !== undefined,
    isBotThread: thread !== undefined && isBotThread(thread.id, thread.ownerId),
    mentionsBot,
    mentionsOthers,
    roles: {
      ids: memberRoles ? [...memberRoles.keys()] : [],
      names: memberRoles ? memberRoles.map((r) => r.name) : [],
    },
    canOpenThread: THREADABLE.has(channel.type),
  };
  if (thread?.parentId) facts.parentId = thread.parentId;
  return facts;
}
