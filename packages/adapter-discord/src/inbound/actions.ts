import {
  type AdapterContext,
  type ChatRef,
  DedupeCache,
  type InboundAction,
  type Logger,
} from '@hermes/adapter-core';
import type { ButtonInteraction } from 'discord.js';
import { DISCORD_PLATFORM } from '../constants.js';

export interface DiscordActionIntakeDeps {
  ctx: AdapterContext;
  logger: Logger;
  /** Called once per press handed to the host (liveness). */
  accepted(): void;
}

/** Discord marks a press failed unless it is answered within 3 s; this is how long that window stays open. */
export const DISCORD_INTERACTION_ACK_MS = 3_000;

/**
 * Button presses: each is acknowledged at once with a deferred update (callback type 6, the message
 * stays as it is and the user's spinner stops), then handed to the host. A press redelivered after a
 * RESUME has the same interaction id and is dropped, so the host acts on it once.
 */
export class DiscordActionIntake {
  readonly #seen = new DedupeCache({ maxEntries: 2_000, ttlMs: 15 * 60_000 });

  constructor(private readonly deps: DiscordActionIntakeDeps) {}

  async handle(interaction: ButtonInteraction): Promise<void> {
    if (this.#seen.seen(interaction.id)) {
      this.deps.logger.debug('discord button press delivered again; dropped', { id: interaction.id });
      return;
    }
    const receivedAt = new Date();
    try {
      await interaction.deferUpdate();
    } catch (error) {
      // Unanswered, Discord shows the user "This interaction failed" and they can press again (a new id).
      this.deps.logger.warn('discord button press could not be acknowledged; not handed over', {
        id: interaction.id,
        error: (error as Error).message,
      });
      return;
    }
    this.deps.accepted();
    const roles = rolesOf(interaction);
    const action: InboundAction = {
      id: interaction.id,
      chat: discordChatOfInteraction(interaction),
      sender: {
        id: interaction.user.id,
        name:
          interaction.member && 'displayName' in interaction.member
            ? interaction.member.displayName
            : (interaction.user.globalName ?? interaction.user.username),
        isBot: interaction.user.bot,
        ...(roles ? { roles } : {}),
      },
      messageId: interaction.message.id,
      actionId: interaction.customId,
      receivedAt,
      raw: interaction.toJSON(),
    };
    try {
      this.deps.ctx.receiveAction?.(action);
    } catch (error) {
      this.deps.logger.error('discord button press could not be handed over', {
        id: interaction.id,
        error: (error as Error).message,
      });
    }
  }
}

/** The same chat an inbound message of that channel gets (see discordChatOf), so sessions line up. */
export function discordChatOfInteraction(interaction: ButtonInteraction): ChatRef {
  const channelId = interaction.channelId;
  const channel = interaction.channel;
  if (!interaction.inGuild()) {
    return {
      platform: DISCORD_PLATFORM,
      chatId: channelId,
      chatType: 'dm',
      chatName: interaction.user.username,
    };
  }
  if (channel?.isThread()) {
    return {
      platform: DISCORD_PLATFORM,
      chatId: channel.parentId ?? channelId,
      chatType: 'thread',
      threadId: channel.id,
      chatName: channel.name,
    };
  }
  const name =
    channel && 'name' in channel && typeof channel.name === 'string' ? `#${channel.name}` : undefined;
  return {
    platform: DISCORD_PLATFORM,
    chatId: channelId,
    chatType: 'group',
    ...(name ? { chatName: name } : {}),
  };
}

/** Role ids of a server member (the host's DISCORD_ALLOWED_ROLES matches them); none in DMs. */
function rolesOf(interaction: ButtonInteraction): string[] | undefined {
  const member = interaction.member;
  if (!member) return undefined;
  // Ids and names, as inbound messages carry them: the allowlist may use either. @everyone (id = guild id) is not a grant.
  const everyone = interaction.guildId;
  const roles: string[] = Array.isArray(member.roles)
    ? member.roles.filter((id) => id !== everyone)
    : [...member.roles.cache.values()].filter((r) => r.id !== everyone).flatMap((r) => [r.id, r.name]);
  return roles.length > 0 ? roles : undefined;
}
