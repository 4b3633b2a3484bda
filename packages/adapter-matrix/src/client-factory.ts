import { AdapterError, type Logger } from '@hermes/adapter-core';
import { type ICreateClientOpts, MatrixClient } from 'matrix-js-sdk';
import type { MatrixConfig } from './config.js';
import { matrixAdapterError } from './matrix-errors.js';
import { quietSdkLogger, quietSdkRootLogger } from './sdk-logger.js';
import { type MatrixSession, SessionFile } from './state/session-file.js';
import type { MatrixFileStore } from './state/sync-store.js';

const PLATFORM = 'matrix';

function bareClient(
  baseUrl: string,
  fetchFn: typeof fetch,
  logger: Logger,
  accessToken?: string,
): MatrixClient {
  const opts: ICreateClientOpts = { baseUrl, fetchFn, logger: quietSdkLogger(logger) };
  if (accessToken !== undefined) opts.accessToken = accessToken;
  return new MatrixClient(opts);
}

/**
 * The device to run as. A configured access token is used as is (whoami names the user and device). With a
 * user id and password the adapter logs in ONCE and keeps the device id and token under the state dir:
 * every later start reuses that device, so the account does not collect a device per restart and E2EE keys
 * stay attached to one device.
 */
export async function openMatrixSession(
  config: MatrixConfig,
  stateDir: string,
  fetchFn: typeof fetch,
  logger: Logger,
): Promise<MatrixSession> {
  const homeserver = config.homeserver;
  if (config.accessToken !== undefined) {
    const client = bareClient(homeserver, fetchFn, logger, config.accessToken);
    try {
      const me = await client.whoami();
      return {
        homeserver,
        userId: me.user_id,
        deviceId: me.device_id ?? 'unknown',
        accessToken: config.accessToken,
      };
    } catch (error) {
      throw matrixAdapterError(error, 'checking MATRIX_ACCESS_TOKEN (whoami)');
    }
  }
  const userId = config.userId;
  const password = config.password;
  if (userId === undefined || password === undefined) {
    throw new AdapterError('config_invalid', 'Matrix needs an access token or a user id and password', {
      platform: PLATFORM,
      fix: 'Set MATRIX_ACCESS_TOKEN, or MATRIX_USER_ID and MATRIX_PASSWORD.',
    });
  }
  const file = new SessionFile(stateDir, logger);
  const stored = file.load();
  const sameAccount =
    stored !== undefined &&
    stored.homeserver === homeserver &&
    stored.userId.toLowerCase() === userId.toLowerCase();
  if (stored && sameAccount && config.encryption) {
    // The E2EE keys of the stored device lived in memory and died with the last process (see README):
    // reusing its id with new keys would break every peer's sessions, so it is logged out and replaced.
    await bareClient(homeserver, fetchFn, logger, stored.accessToken)
      .logout()
      .catch((error: unknown) =>
        logger.warn('could not log out the previous Matrix device', {
          platform: PLATFORM,
          deviceId: stored.deviceId,
          error: (error as Error).message,
        }),
      );
  } else if (stored && sameAccount) {
    const client = bareClient(homeserver, fetchFn, logger, stored.accessToken);
    try {
      await client.whoami();
      return stored;
    } catch (error) {
      const adapterError = matrixAdapterError(error, 'checking the stored Matrix session');
      if (adapterError.code !== 'auth_failed') throw adapterError;
      logger.warn('the stored Matrix device token was refused; logging in again (a new device)', {
        platform: PLATFORM,
        deviceId: stored.deviceId,
      });
    }
  }
  const client = bareClient(homeserver, fetchFn, logger);
  try {
    const login = await client.loginRequest({
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: userId },
      password,
      initial_device_display_name: config.deviceName,
    });
    const session: MatrixSession = {
      homeserver,
      userId: login.user_id,
      deviceId: login.device_id,
      accessToken: login.access_token,
    };
    file.save(session);
    logger.info('logged in to Matrix; the device is kept for later starts', {
      platform: PLATFORM,
      userId: session.userId,
      deviceId: session.deviceId,
    });
    return session;
  } catch (error) {
    const adapterError = matrixAdapterError(error, `logging in as ${userId}`);
    if (adapterError.code === 'forbidden' || adapterError.code === 'auth_failed') {
      throw new AdapterError('auth_failed', adapterError.message, {
        platform: PLATFORM,
        fix: 'Check MATRIX_USER_ID and MATRIX_PASSWORD (or set MATRIX_ACCESS_TOKEN).',
      });
    }
    throw adapterError;
  }
}

export interface ClientParts {
  config: MatrixConfig;
  session: MatrixSession;
  store: MatrixFileStore;
  fetchFn: typeof fetch;
  stateDir: string;
  logger: Logger;
}

/** A client for one /sync run; with encryption on, the Rust crypto (WASM) is set up before it syncs. */
export async function createMatrixClient(parts: ClientParts): Promise<MatrixClient> {
  const { config, session } = parts;
  quietSdkRootLogger();
  const client = new MatrixClient({
    baseUrl: config.homeserver,
    accessToken: session.accessToken,
    userId: session.userId,
    deviceId: session.deviceId,
    fetchFn: parts.fetchFn,
    store: parts.store,
    // No scheduler: sends fail fast to the adapter's pacer, which owns retries and retry_after_ms.
    timelineSupport: false,
    // A bot places no calls: no TURN polling, no call event handler.
    disableVoip: true,
    logger: quietSdkLogger(parts.logger),
  });
  if (config.encryption) {
    try {
      // Node has no IndexedDB: the crypto store lives in memory for the life of the process (see README).
      await client.initRustCrypto({ useIndexedDB: false });
    } catch (error) {
      throw new AdapterError(
        'unsupported',
        `Matrix end-to-end encryption could not start: ${(error as Error).message}`,
        { platform: PLATFORM, fix: 'Set MATRIX_ENCRYPTION=false, or report the error above.', cause: error },
      );
    }
  }
  return client;
}
