import type { PlatformDescriptor } from '@hermes/adapter-core';
import { createEmailAdapter } from './adapter.js';
import { configFromEnv, EMAIL_ENV, type EmailConfig, emailConfigSchema } from './config.js';

/**
 * Addresses are compared case-insensitively (the local part is case-sensitive only in theory, and no
 * provider treats it so); people also paste them as "mailto:x" or "<x>".
 */
export function normalizeEmailUserId(id: string): string {
  return id
    .trim()
    .replace(/^mailto:/i, '')
    .replace(/^<(.*)>$/, '$1')
    .trim()
    .toLowerCase();
}

/** What the gateway's platform catalog needs: how to tell the platform is enabled, what to ask for, how to build it. */
export const emailDescriptor: PlatformDescriptor<EmailConfig> = {
  platform: 'email',
  label: 'Email',
  kind: 'chat',
  requiredEnv: [EMAIL_ENV.address, EMAIL_ENV.password, EMAIL_ENV.imapHost, EMAIL_ENV.smtpHost],
  optionalEnv: [
    EMAIL_ENV.imapPort,
    EMAIL_ENV.imapSecurity,
    EMAIL_ENV.smtpPort,
    EMAIL_ENV.smtpSecurity,
    EMAIL_ENV.pollInterval,
    EMAIL_ENV.allowedUsers,
    EMAIL_ENV.allowAllUsers,
    EMAIL_ENV.homeAddress,
  ],
  secretEnv: [EMAIL_ENV.password],
  allowedUsersEnv: EMAIL_ENV.allowedUsers,
  allowAllUsersEnv: EMAIL_ENV.allowAllUsers,
  homeChannelEnv: EMAIL_ENV.homeAddress,
  // A pairing code mailed to a stranger is spam (and a loop risk with auto-responders); opt in with
  // platforms.email.unauthorized_dm_behavior: pair.
  unauthorizedDmDefault: 'ignore',
  normalizeUserId: normalizeEmailUserId,
  setupHelp: `Give the bot its own mailbox. Set ${EMAIL_ENV.address} and ${EMAIL_ENV.password} (an app password where the provider has them), ${EMAIL_ENV.imapHost} and ${EMAIL_ENV.smtpHost} (ports default to 993 and 587; ${EMAIL_ENV.imapSecurity}/${EMAIL_ENV.smtpSecurity} = tls, starttls or none), and list the addresses that may write to it in ${EMAIL_ENV.allowedUsers}. Mail already in the mailbox when the bot first starts is not answered.`,
  configSchema: emailConfigSchema,
  configFromEnv,
  createAdapter: (config) => createEmailAdapter(config),
};
