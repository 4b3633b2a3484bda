import type { ChatRef, InboundMessage } from '@hermes/adapter-core';
import { cleanContent, type Message, MessageFlags } from 'discord.js';
import { DISCORD_PLATFORM } from '../constants.js';
import { type AttachmentFetchOptions, toDiscordAttachment } from './attachments.js';
import { stripBotMentions } from './mentions.js';

/**
 * DMs are `dm`; a server channel is a `group` (a room of many people); a thread is `thread` with the
 * parent channel as chatId and the thread channel as threadId, so sessions of a thread stay apart from
 * its channel's and replies go into the thread.
 */
export function discordChatOf(message: Message): ChatRef {
  const channel = message.channel;
  if (!message.inGuild()) {
    return {
      platform: DISCORD_PLATFORM,
      chatId: message.channelId,
      chatType: 'dm',
      chatName: message.author.username,
    };
  }
  if (channel.isThread()) {
    return {
      platform: DISCORD_PLATFORM,
      chatId: channel.parentId ?? message.channelId,
      chatType: 'thread',
      threadId: channel.id,
      chatName: channel.name,
    };
  }
  const name = 'name' in channel && typeof channel.name === 'string' ? `#${channel.name}` : undefined;
  return {
    platform: DISCORD_PLATFORM,
    chatId: message.channelId,
    chatType: 'group',
    ...(name ? { chatName: name } : {}),
  };
}

/** The text the agent sees: bot mentions removed, other mentions as @name / #channel where known. */
export function discordInboundText(message: Message, botId: string, botRoles: readonly string[]): string {
  const stripped = stripBotMentions(message.content, botId, botRoles);
  return cleanContent(stripped, message.channel);
}

export interface BuildInboundOptions {
  chat: ChatRef;
  text: string;
  mentionsBot: boolean;
  raw: unknown;
  attachments: AttachmentFetchOptions;
}

export function buildDiscordInbound(message: Message, o: BuildInboundOptions): InboundMessage {
  const voice = message.flags.has(MessageFlags.IsVoiceMessage);
  const name = message.member?.displayName ?? message.author.globalName ?? message.author.username;
  const inbound: InboundMessage = {
    id: message.id,
    chat: o.chat,
    sender: { id: message.author.id, name, isBot: message.author.bot },
    text: o.text,
    mentionsBot: o.mentionsBot,
    attachments: message.attachments.map((a) =>
      toDiscordAttachment(
        { name: a.name, url: a.url, size: a.size, contentType: a.contentType },
        voice,
        o.attachments,
      ),
    ),
    receivedAt: new Date(),
    raw: o.raw,
  };
  const ref = message.reference?.messageId;
  if (ref) {
    const quoted = message.channel.messages.cache.get(ref)?.content;
    inbound.replyTo = quoted ? { id: ref, text: quoted } : { id: ref };
  }
  return inbound;
}
