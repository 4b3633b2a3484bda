import type { PlatformDescriptor } from '@hermes/adapter-core';
import { SlackAdapter } from './adapter.js';
import { type SlackConfig, slackConfigFromEnv, slackConfigSchema } from './config.js';
import { SLACK_PLATFORM } from './constants.js';

/**
 * Slack member ids are upper case (U…/W…); people paste them lower case or as a mention copied from the
 * client (`<@U123>`, `<@U123|ada>`), which is the same user.
 */
export function normalizeSlackUserId(id: string): string {
  const trimmed = id.trim();
  const mention = /^<@([A-Za-z0-9]+)(?:\|[^>]*)?>$/.exec(trimmed);
  return (mention ? mention[1]! : trimmed).toUpperCase();
}

/** What the gateway's platform catalog needs: enabled by SLACK_BOT_TOKEN + SLACK_APP_TOKEN. */
export const slackDescriptor: PlatformDescriptor<SlackConfig> = {
  platform: SLACK_PLATFORM,
  label: 'Slack (Socket Mode)',
  requiredEnv: ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN'],
  optionalEnv: [
    'SLACK_API_URL',
    'SLACK_REQUIRE_MENTION',
    'SLACK_FREE_RESPONSE_CHANNELS',
    'SLACK_REPLY_IN_THREAD',
    'SLACK_SLASH_COMMAND',
    'SLACK_ALLOWED_USERS',
    'SLACK_ALLOW_ALL_USERS',
    'SLACK_HOME_CHANNEL',
    'SLACK_HOME_CHANNEL_NAME',
    'SLACK_MAX_MESSAGE_LENGTH',
    'HERMES_MEDIA_ALLOW_PRIVATE',
  ],
  secretEnv: ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN'],
  allowedUsersEnv: 'SLACK_ALLOWED_USERS',
  allowAllUsersEnv: 'SLACK_ALLOW_ALL_USERS',
  homeChannelEnv: 'SLACK_HOME_CHANNEL',
  normalizeUserId: normalizeSlackUserId,
  setupHelp: [
    'At api.slack.com/apps create an app (from scratch), then:',
    '1. Socket Mode → enable it, and create an App-Level Token with connections:write → SLACK_APP_TOKEN (xapp-…).',
    '2. OAuth & Permissions → Bot Token Scopes: app_mentions:read, chat:write, channels:history, groups:history,',
    '   im:history, mpim:history, reactions:write, files:read, files:write (users:read for names).',
    '3. Event Subscriptions → bot events: app_mention, message.channels, message.groups, message.im, message.mpim.',
    '4. Install to the workspace and copy the Bot User OAuth Token → SLACK_BOT_TOKEN (xoxb-…).',
    '5. Invite the bot to channels (/invite @yourbot). In channels it answers when mentioned (SLACK_REQUIRE_MENTION=false',
    '   to answer everything; SLACK_FREE_RESPONSE_CHANNELS=C123,C456 for channels without that rule) and keeps',
    '   answering in a thread once it took part there. In threads type !status instead of /status.',
    'Access: SLACK_ALLOWED_USERS=U123,U456 (member ids), or SLACK_ALLOW_ALL_USERS=true. SLACK_HOME_CHANNEL=C123 for',
    'cron and cross-platform delivery.',
  ].join('\n'),
  configSchema: slackConfigSchema,
  configFromEnv: slackConfigFromEnv,
  createAdapter: (config) => new SlackAdapter(config),
};
