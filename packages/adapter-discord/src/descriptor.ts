import type { PlatformDescriptor } from '@hermes/adapter-core';
import { DiscordAdapter } from './adapter.js';
import { type DiscordConfig, discordConfigFromEnv, discordConfigSchema } from './config.js';
import { DISCORD_PLATFORM } from './constants.js';
import { normalizeDiscordUserId } from './user-id.js';

/** What the gateway's platform catalog needs: enabled by DISCORD_BOT_TOKEN. */
export const discordDescriptor: PlatformDescriptor<DiscordConfig> = {
  platform: DISCORD_PLATFORM,
  label: 'Discord',
  requiredEnv: ['DISCORD_BOT_TOKEN'],
  optionalEnv: [
    'DISCORD_ALLOWED_USERS',
    'DISCORD_ALLOW_ALL_USERS',
    'DISCORD_HOME_CHANNEL',
    'DISCORD_API_BASE',
    'DISCORD_REQUIRE_MENTION',
    'DISCORD_FREE_RESPONSE_CHANNELS',
    'DISCORD_ALLOWED_CHANNELS',
    'DISCORD_IGNORED_CHANNELS',
    'DISCORD_NO_THREAD_CHANNELS',
    'DISCORD_ALLOWED_ROLES',
    'DISCORD_AUTO_THREAD',
    'DISCORD_IGNORE_NO_MENTION',
    'DISCORD_ALLOW_BOTS',
    'DISCORD_ALLOW_MENTION_EVERYONE',
    'DISCORD_ALLOW_MENTION_ROLES',
    'DISCORD_ALLOW_MENTION_USERS',
    'DISCORD_ALLOW_MENTION_REPLIED_USER',
    'HERMES_MEDIA_ALLOW_PRIVATE',
  ],
  secretEnv: ['DISCORD_BOT_TOKEN'],
  allowedUsersEnv: 'DISCORD_ALLOWED_USERS',
  allowAllUsersEnv: 'DISCORD_ALLOW_ALL_USERS',
  homeChannelEnv: 'DISCORD_HOME_CHANNEL',
  allowedRolesEnv: 'DISCORD_ALLOWED_ROLES',
  normalizeUserId: normalizeDiscordUserId,
  setupHelp: [
    'Discord Developer Portal (discord.com/developers/applications) → New Application → Bot → Reset Token:',
    'put the token into DISCORD_BOT_TOKEN. On the same page switch on "Message Content Intent" (without it',
    'server messages arrive empty). Invite the bot with OAuth2 → URL Generator, scope "bot", permissions',
    'View Channels, Send Messages, Send Messages in Threads, Create Public Threads, Read Message History,',
    'Add Reactions and Attach Files. Access: DISCORD_ALLOWED_USERS=<your user id> (Developer Mode → right',
    'click your name → Copy User ID) or DISCORD_ALLOW_ALL_USERS=true. In servers the bot answers when',
    'mentioned (DISCORD_REQUIRE_MENTION, DISCORD_FREE_RESPONSE_CHANNELS) and opens a thread per question',
    '(DISCORD_AUTO_THREAD=false to answer inline). DISCORD_HOME_CHANNEL = a channel id for cron delivery.',
  ].join('\n'),
  configSchema: discordConfigSchema,
  configFromEnv: discordConfigFromEnv,
  createAdapter: (config) => new DiscordAdapter(config),
};
