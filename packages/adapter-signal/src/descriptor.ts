import type { PlatformDescriptor } from '@hermes/adapter-core';
import { createSignalAdapter } from './adapter.js';
import { configFromEnv, SIGNAL_ENV, type SignalConfig, signalConfigSchema } from './config.js';
import { SIGNAL_PLATFORM } from './constants.js';
import { normalizeSignalUserId } from './user-id.js';

/** What the gateway's platform catalog needs: enabled by SIGNAL_HTTP_URL + SIGNAL_ACCOUNT. */
export const signalDescriptor: PlatformDescriptor<SignalConfig> = {
  platform: SIGNAL_PLATFORM,
  label: 'Signal (signal-cli)',
  kind: 'chat',
  requiredEnv: [SIGNAL_ENV.httpUrl, SIGNAL_ENV.account],
  optionalEnv: [
    SIGNAL_ENV.allowedUsers,
    SIGNAL_ENV.allowAllUsers,
    SIGNAL_ENV.groupAllowedUsers,
    SIGNAL_ENV.ignoreStories,
    SIGNAL_ENV.requireMention,
    SIGNAL_ENV.homeChannel,
  ],
  // signal-cli's HTTP interface has no credential: the daemon's address is all there is.
  secretEnv: [],
  allowedUsersEnv: SIGNAL_ENV.allowedUsers,
  allowAllUsersEnv: SIGNAL_ENV.allowAllUsers,
  homeChannelEnv: SIGNAL_ENV.homeChannel,
  normalizeUserId: normalizeSignalUserId,
  setupHelp: [
    'Hermes talks to Signal through a signal-cli daemon (https://github.com/AsamK/signal-cli, needs Java 21+).',
    'Register a dedicated number (signal-cli -a +15551234567 register / verify) or link signal-cli to your',
    'phone (signal-cli link -n hermes, scan the QR code), then run it on this machine:',
    '  signal-cli -a +15551234567 daemon --http 127.0.0.1:8080 --receive-mode=on-connection',
    `Set ${SIGNAL_ENV.httpUrl}=http://127.0.0.1:8080 and ${SIGNAL_ENV.account}=+15551234567 in ~/.hermes/.env.`,
    `Who may talk to the bot: ${SIGNAL_ENV.allowedUsers}=+15557654321,<uuid> (others get a pairing code).`,
    `Groups are off until ${SIGNAL_ENV.groupAllowedUsers} lists group ids (or *); ${SIGNAL_ENV.requireMention}=true`,
    'answers only messages that mention the bot there. The daemon has no password: keep it on 127.0.0.1.',
  ].join('\n'),
  configSchema: signalConfigSchema,
  configFromEnv,
  createAdapter: (config) => createSignalAdapter(config),
};
