import type { PlatformDescriptor } from '@hermes/adapter-core';
import { createMattermostAdapter } from './adapter.js';
import { configFromEnv, MATTERMOST_ENV, type MattermostConfig, mattermostConfigSchema } from './config.js';

/**
 * Mattermost user ids are 26 lowercase letters and digits; people also write them with an `@` or in
 * capitals when they copy them around. Usernames are not accepted as ids on purpose: a user can rename
 * themselves, an id never changes.
 */
export function normalizeMattermostUserId(id: string): string {
  return id.trim().replace(/^@/, '').toLowerCase();
}

/** What the gateway's platform catalog needs: how to tell the platform is enabled, what to ask for, how to build it. */
export const mattermostDescriptor: PlatformDescriptor<MattermostConfig> = {
  platform: 'mattermost',
  label: 'Mattermost',
  kind: 'chat',
  requiredEnv: [MATTERMOST_ENV.url, MATTERMOST_ENV.token],
  optionalEnv: [
    MATTERMOST_ENV.allowedUsers,
    MATTERMOST_ENV.allowAllUsers,
    MATTERMOST_ENV.homeChannel,
    MATTERMOST_ENV.requireMention,
    MATTERMOST_ENV.replyMode,
    MATTERMOST_ENV.actionsUrl,
    MATTERMOST_ENV.actionsHost,
    MATTERMOST_ENV.actionsPort,
    MATTERMOST_ENV.actionsSecret,
  ],
  secretEnv: [MATTERMOST_ENV.token, MATTERMOST_ENV.actionsSecret],
  allowedUsersEnv: MATTERMOST_ENV.allowedUsers,
  allowAllUsersEnv: MATTERMOST_ENV.allowAllUsers,
  homeChannelEnv: MATTERMOST_ENV.homeChannel,
  normalizeUserId: normalizeMattermostUserId,
  setupHelp: [
    `In Mattermost: System Console → Integrations → Bot Accounts → enable, then Integrations → Bot Accounts → Add Bot Account; copy its access token into ${MATTERMOST_ENV.token}.`,
    `Set ${MATTERMOST_ENV.url} to the server address (https://chat.example.com, without /api/v4). Add the bot to the team and to each channel it should answer in.`,
    `List the user ids that may talk to it in ${MATTERMOST_ENV.allowedUsers} (Profile → ⋮ → Copy User ID). In channels it answers @-mentions (${MATTERMOST_ENV.requireMention}=false: everything) and replies in a thread (${MATTERMOST_ENV.replyMode}=off: in the channel).`,
    `Approval buttons need ${MATTERMOST_ENV.actionsUrl}: an address of this machine the Mattermost server can reach.`,
  ].join(' '),
  configSchema: mattermostConfigSchema,
  configFromEnv,
  createAdapter: (config) => createMattermostAdapter(config),
};
