import type { PlatformDescriptor } from '@hermes/adapter-core';
import { createSmsAdapter } from './adapter.js';
import { configFromEnv, SMS_ENV, type SmsConfig, smsConfigSchema } from './config.js';
import { normalizeSmsNumber } from './phone.js';

/** What the gateway's platform catalog needs: how to tell SMS is enabled, what to ask for, how to build it. */
export const smsDescriptor: PlatformDescriptor<SmsConfig> = {
  platform: 'sms',
  label: 'SMS (Twilio)',
  kind: 'chat',
  // Inbound HTTP: every replica serves it behind a load balancer.
  connectionScope: 'shared',
  requiredEnv: [SMS_ENV.accountSid, SMS_ENV.authToken, SMS_ENV.phoneNumber],
  optionalEnv: [
    SMS_ENV.webhookUrl,
    SMS_ENV.webhookHost,
    SMS_ENV.webhookPort,
    SMS_ENV.trustProxy,
    SMS_ENV.apiBase,
    SMS_ENV.allowedUsers,
    SMS_ENV.allowAllUsers,
    SMS_ENV.homeChannel,
  ],
  secretEnv: [SMS_ENV.authToken],
  allowedUsersEnv: SMS_ENV.allowedUsers,
  allowAllUsersEnv: SMS_ENV.allowAllUsers,
  homeChannelEnv: SMS_ENV.homeChannel,
  normalizeUserId: normalizeSmsNumber,
  setupHelp: [
    `In the Twilio console copy the Account SID and Auth Token (Account Info) into ${SMS_ENV.accountSid} and ${SMS_ENV.authToken},`,
    `and an SMS-capable number of the account into ${SMS_ENV.phoneNumber} (E.164, e.g. +15551234567).`,
    `Expose the gateway's webhook server (${SMS_ENV.webhookHost}:${SMS_ENV.webhookPort}, default 127.0.0.1:8080) through an HTTPS proxy or tunnel,`,
    `set ${SMS_ENV.webhookUrl} to the public URL of /webhooks/twilio, and paste the same URL into the number's`,
    `Messaging configuration, "A message comes in" (HTTP POST). List who may text the bot in ${SMS_ENV.allowedUsers} (phone numbers).`,
  ].join(' '),
  configSchema: smsConfigSchema,
  configFromEnv,
  createAdapter: (config) => createSmsAdapter(config),
};
