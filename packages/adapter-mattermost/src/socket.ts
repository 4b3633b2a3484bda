import {
  AdapterError,
  type ConnectionDrop,
  type Logger,
  type SupervisedConnection,
} from '@hermes/adapter-core';
import { MATTERMOST_ENV } from './config.js';
import { WebSocketClient } from './sdk.js';
import { GuardedSocket } from './socket-guard.js';

const PLATFORM = 'mattermost';
/** The largest delay Node timers take; used to park the SDK's own ping and reconnect timers. */
const NEVER_MS = 2_147_483_647;

/** One server event as the SDK hands it on. */
export interface MattermostSocketEvent {
  event: string;
  data: unknown;
  broadcast: unknown;
  seq: number;
}

export interface MattermostSocketOptions {
  url: string;
  token: string;
  logger: Logger;
  /** Every event after `hello`, in order. */
  onEvent(event: MattermostSocketEvent): void;
  onMalformed(problem: string): void;
  /** Any frame at all (a sign of life for the watchdog). */
  onFrame(): void;
  helloTimeoutMs: number;
}

export interface MattermostSocket extends SupervisedConnection {
  /** Resolves when the server answered a ping. */
  ping(): Promise<void>;
}

/**
 * Opens one WebSocket with the SDK's `WebSocketClient` (authentication_challenge, seq tracking, ping
 * replies) and resolves once the server said `hello`. The SDK's own reconnect and ping timers are parked:
 * core's ConnectionSupervisor owns reconnecting (backoff, jitter, status), and a dropped client is closed
 * for good, so two sockets never exist at once.
 */
export function openMattermostSocket(
  o: MattermostSocketOptions,
  signal: AbortSignal,
): Promise<MattermostSocket> {
  let guard: GuardedSocket | undefined;
  let finished = false;
  let resolveClosed!: (drop: ConnectionDrop) => void;
  const closed = new Promise<ConnectionDrop>((resolve) => {
    resolveClosed = resolve;
  });
  let hello!: () => void;
  let refuse!: (error: AdapterError) => void;
  const ready = new Promise<void>((resolve, reject) => {
    hello = resolve;
    refuse = reject;
  });
  // Nobody awaits `ready` after a failed connect has been reported; keep that from surfacing as unhandled.
  ready.catch(() => {});

  const client = new WebSocketClient({
    newWebSocketFn: (url: string) => {
      guard = new GuardedSocket(url, {
        onMalformed: (problem) => {
          o.onFrame();
          o.onMalformed(problem);
        },
        onGap: (expected, got) =>
          finish({
            reason: `events were lost: expected seq ${expected}, got ${got}; reconnecting to fetch them`,
          }),
        onReply: (reply) => {
          o.onFrame();
          if (reply['seq_reply'] === 1 && reply['status'] === 'FAIL') {
            const error = new AdapterError(
              'auth_failed',
              'Mattermost refused the WebSocket authentication challenge',
              {
                platform: PLATFORM,
                fix: `${MATTERMOST_ENV.token} is wrong or revoked: create a new bot access token and set it.`,
              },
            );
            refuse(error);
            finish({ reason: 'authentication refused', error });
          }
        },
        onSdkError: (error) =>
          o.onMalformed(
            `the Mattermost SDK failed on a frame: ${error instanceof Error ? error.message : String(error)}`,
          ),
      });
      return guard as unknown as WebSocket;
    },
    clientPingInterval: NEVER_MS,
    minWebSocketRetryTime: NEVER_MS,
    maxWebSocketRetryTime: NEVER_MS,
    reconnectJitterRange: 0,
  });

  function finish(drop: ConnectionDrop): void {
    if (finished) return;
    finished = true;
    client.close();
    guard?.terminate();
    refuse(
      drop.error instanceof AdapterError
        ? drop.error
        : new AdapterError('network', `Mattermost WebSocket closed before hello: ${drop.reason}`, {
            platform: PLATFORM,
          }),
    );
    resolveClosed(drop);
  }

  client.addMessageListener((message) => {
    o.onFrame();
    if (message.event === 'hello') {
      hello();
      return;
    }
    o.onEvent({ event: message.event, data: message.data, broadcast: message.broadcast, seq: message.seq });
  });
  client.addCloseListener(() => {
    // The SDK arms its reconnect timer right after its close listeners run: close() it once they are done.
    queueMicrotask(() => client.close());
    const cause = guard?.lastError;
    const error = cause ? socketError(cause) : undefined;
    finish(
      error
        ? { reason: `WebSocket closed: ${cause?.message}`, error }
        : { reason: 'the server closed the WebSocket' },
    );
  });

  const onAbort = () => finish({ reason: 'connect aborted' });
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () => finish({ reason: `no hello within ${o.helloTimeoutMs} ms` }),
    o.helloTimeoutMs,
  );
  client.initialize(o.url, o.token);

  return ready
    .then(() => ({
      closed,
      close: (reason: string) => finish({ reason }),
      ping: () =>
        new Promise<void>((resolve) => {
          client.ping(() => resolve());
        }),
    }))
    .finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
}

function socketError(error: Error): AdapterError {
  // ws reports a refused upgrade as "Unexpected server response: <status>".
  const status = /Unexpected server response: (\d{3})/.exec(error.message)?.[1];
  if (status === '401')
    return new AdapterError('auth_failed', 'Mattermost refused the WebSocket upgrade (401)', {
      platform: PLATFORM,
      fix: `${MATTERMOST_ENV.token} is wrong or revoked.`,
    });
  return new AdapterError('network', `Mattermost WebSocket: ${error.message}`, {
    platform: PLATFORM,
    cause: error,
  });
}
