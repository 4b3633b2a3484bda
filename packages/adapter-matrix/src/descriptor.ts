import type { PlatformDescriptor } from '@hermes/adapter-core';
import { createMatrixAdapter } from './adapter.js';
import {
  configFromEnv,
  MATRIX_ENV,
  type MatrixConfig,
  matrixConfigSchema,
  normalizeMatrixUserId,
} from './config.js';

/** What the gateway's platform catalog needs: how to tell the platform is enabled, what to ask for, how to build it. */
export const matrixDescriptor: PlatformDescriptor<MatrixConfig> = {
  platform: 'matrix',
  label: 'Matrix',
  kind: 'chat',
  // Enabled by MATRIX_HOMESERVER plus either credential set; the catalog lists both sets.
  requiredEnv: [MATRIX_ENV.homeserver],
  optionalEnv: [
    MATRIX_ENV.accessToken,
    MATRIX_ENV.userId,
    MATRIX_ENV.password,
    MATRIX_ENV.allowedUsers,
    MATRIX_ENV.allowAllUsers,
    MATRIX_ENV.homeRoom,
    MATRIX_ENV.requireMention,
    MATRIX_ENV.encryption,
  ],
  secretEnv: [MATRIX_ENV.accessToken, MATRIX_ENV.password],
  allowedUsersEnv: MATRIX_ENV.allowedUsers,
  allowAllUsersEnv: MATRIX_ENV.allowAllUsers,
  homeChannelEnv: MATRIX_ENV.homeRoom,
  normalizeUserId: normalizeMatrixUserId,
  setupHelp: [
    'Create a Matrix account for the bot on your homeserver (any client, e.g. Element).',
    `Set ${MATRIX_ENV.homeserver} (e.g. https://matrix.example.org) and either ${MATRIX_ENV.accessToken}`,
    `or ${MATRIX_ENV.userId} (@bot:example.org) + ${MATRIX_ENV.password}: the adapter logs in once and keeps`,
    `the device under $HERMES_HOME. List who may talk to it in ${MATRIX_ENV.allowedUsers} (@you:example.org);`,
    `their invites are accepted automatically. ${MATRIX_ENV.encryption}=true answers in encrypted rooms.`,
  ].join(' '),
  configSchema: matrixConfigSchema,
  configFromEnv,
  createAdapter: (config) => createMatrixAdapter(config),
};
