import type { ChatRef, MessageTarget } from '@hermes/adapter-core';
import type { PlatformProfile } from '../platforms/platform-profile.js';

/** Where home channels come from: the host runtime has both. */
export interface HomeChannels {
  homeChannelOf(platform: string): string | undefined;
  profileOf(platform: string): PlatformProfile;
}

export type TargetChat = { ok: true; chat: ChatRef } | { ok: false; problem: string };

/**
 * The one home-channel rule: a target that names a chat is that chat; a target that names only a
 * platform (or `home`, resolved against `originPlatform`) is that platform's home channel, set by
 * /sethome or its `*_HOME_CHANNEL` env var.
 */
export function targetChat(target: MessageTarget, homes: HomeChannels, originPlatform?: string): TargetChat {
  const platform = target.kind === 'home' ? originPlatform : target.platform;
  if (!platform)
    return {
      ok: false,
      problem:
        'this conversation has no platform to resolve "home" against; name one, e.g. telegram:<chat_id>',
    };
  const chatId = (target.kind === 'platform' ? target.chatId : undefined) ?? homes.homeChannelOf(platform);
  if (!chatId) {
    const env = homes.profileOf(platform).homeChannelEnv;
    return {
      ok: false,
      problem: `no home channel is set for ${platform}${env ? ` (${env} is not set)` : ''}; run /sethome in the chat that should receive messages`,
    };
  }
  const chat: ChatRef = { platform, chatId, chatType: 'group' };
  if (target.kind === 'platform' && target.threadId) chat.threadId = target.threadId;
  return { ok: true, chat };
}
