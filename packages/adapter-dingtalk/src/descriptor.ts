import type { PlatformDescriptor } from '@hermes/adapter-core';
import { createDingtalkAdapter } from './adapter.js';
import { configFromEnv, DINGTALK_ENV, type DingtalkConfig, dingtalkConfigSchema } from './config.js';

/** What the gateway's platform catalog needs: how to tell the platform is enabled, what to ask for, how to build it. */
export const dingtalkDescriptor: PlatformDescriptor<DingtalkConfig> = {
  platform: 'dingtalk',
  label: 'DingTalk',
  kind: 'chat',
  requiredEnv: [DINGTALK_ENV.clientId, DINGTALK_ENV.clientSecret],
  optionalEnv: [
    DINGTALK_ENV.allowedUsers,
    DINGTALK_ENV.allowAllUsers,
    DINGTALK_ENV.homeChannel,
    DINGTALK_ENV.requireMention,
    DINGTALK_ENV.freeResponseChats,
    DINGTALK_ENV.mentionPatterns,
    DINGTALK_ENV.allowedChats,
    DINGTALK_ENV.apiBase,
    DINGTALK_ENV.robotCode,
    DINGTALK_ENV.cardTemplateId,
  ],
  secretEnv: [DINGTALK_ENV.clientSecret],
  allowedUsersEnv: DINGTALK_ENV.allowedUsers,
  allowAllUsersEnv: DINGTALK_ENV.allowAllUsers,
  homeChannelEnv: DINGTALK_ENV.homeChannel,
  // Staff ids and $:LWCP sender ids are case-sensitive opaque strings: only surrounding space is noise.
  normalizeUserId: (id) => id.trim(),
  setupHelp: [
    'In the DingTalk developer console (open-dev.dingtalk.com) create an internal app, add the Robot',
    'capability with message receiving mode "Stream", and publish it. Copy the Client ID (AppKey) to',
    `${DINGTALK_ENV.clientId} and the Client Secret (AppSecret) to ${DINGTALK_ENV.clientSecret} in ~/.hermes/.env.`,
    'For replies when no session webhook is valid (cron, send_message) grant the robot the permission to',
    `send messages to users and groups (qyapi_robot_sendmsg). List who may talk to the bot in ${DINGTALK_ENV.allowedUsers}`,
    `(staff ids) and set ${DINGTALK_ENV.homeChannel} to a group conversation id (cid…) or a staff id for cron output.`,
  ].join(' '),
  configSchema: dingtalkConfigSchema,
  configFromEnv,
  createAdapter: (config) => createDingtalkAdapter(config),
};
