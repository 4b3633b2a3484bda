import type { PlatformDescriptor } from '@hermes/adapter-core';
import { createWhatsappAdapter } from './adapter.js';
import { configFromEnv, WHATSAPP_ENV, type WhatsappConfig, whatsappConfigSchema } from './config.js';
import { normalizeWhatsappUserId } from './user-id.js';

/** What the gateway's platform catalog needs: how to tell the platform is enabled, what to ask for, how to build it. */
export const whatsappDescriptor: PlatformDescriptor<WhatsappConfig> = {
  platform: 'whatsapp',
  label: 'WhatsApp (Cloud API)',
  kind: 'chat',
  // Inbound HTTP: every replica serves it behind a load balancer.
  connectionScope: 'shared',
  requiredEnv: [
    WHATSAPP_ENV.enabled,
    WHATSAPP_ENV.phoneNumberId,
    WHATSAPP_ENV.accessToken,
    WHATSAPP_ENV.appSecret,
    WHATSAPP_ENV.verifyToken,
  ],
  optionalEnv: [
    WHATSAPP_ENV.webhookHost,
    WHATSAPP_ENV.webhookPort,
    WHATSAPP_ENV.graphApiBase,
    WHATSAPP_ENV.allowedUsers,
    WHATSAPP_ENV.allowAllUsers,
    WHATSAPP_ENV.homeChannel,
    WHATSAPP_ENV.templateName,
    WHATSAPP_ENV.templateLanguage,
    WHATSAPP_ENV.stateDir,
  ],
  secretEnv: [WHATSAPP_ENV.accessToken, WHATSAPP_ENV.appSecret, WHATSAPP_ENV.verifyToken],
  allowedUsersEnv: WHATSAPP_ENV.allowedUsers,
  allowAllUsersEnv: WHATSAPP_ENV.allowAllUsers,
  homeChannelEnv: WHATSAPP_ENV.homeChannel,
  normalizeUserId: normalizeWhatsappUserId,
  setupHelp: [
    'In developers.facebook.com create a Business app with the WhatsApp product.',
    `From WhatsApp → API Setup copy the phone number ID to ${WHATSAPP_ENV.phoneNumberId}; create a System User`,
    `token with whatsapp_business_messaging for ${WHATSAPP_ENV.accessToken}; App settings → Basic → App secret`,
    `goes to ${WHATSAPP_ENV.appSecret}. Pick any ${WHATSAPP_ENV.verifyToken}, set ${WHATSAPP_ENV.enabled}=true, and`,
    `register https://<your public host>/whatsapp/webhook (proxied to ${WHATSAPP_ENV.webhookHost}:${WHATSAPP_ENV.webhookPort},`,
    'default 127.0.0.1:8090) with that verify token under WhatsApp → Configuration, subscribing to "messages".',
    `List phone numbers (digits) in ${WHATSAPP_ENV.allowedUsers}. For messages to users silent for 24 h, set`,
    `${WHATSAPP_ENV.templateName}/${WHATSAPP_ENV.templateLanguage} to an approved template with one {{1}} body variable.`,
  ].join(' '),
  configSchema: whatsappConfigSchema,
  configFromEnv,
  createAdapter: (config) => createWhatsappAdapter(config),
};
