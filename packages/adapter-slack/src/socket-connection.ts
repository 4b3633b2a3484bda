import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  AdapterError,
  type ConnectionDrop,
  type Logger,
  type SupervisedConnection,
} from '@hermes/adapter-core';
import { SocketModeClient } from '@slack/socket-mode';
import type { SlackConfig } from './config.js';
import { SLACK_PLATFORM } from './constants.js';
import type { SlackSocketEvent } from './envelope.js';
import { slackErrorToAdapterError } from './errors.js';
import { guardSocketModeFrames } from './frame-guard.js';
import { createSlackSdkLogger } from './sdk-logger.js';
import { createSlackSocketDispatcher } from './socket-dispatcher.js';

/** How long a closing socket may take for the close handshake before it is cut. */
const CLOSE_GRACE_MS = 1_000;

export interface SlackSocketOptions {
  config: SlackConfig;
  logger: Logger;
  onEvent(evt: SlackSocketEvent): void;
  /** Slack asked for a new connection; the adapter reconnects at once instead of backing off. */
  onDisconnectRequested(reason: string): void;
  /** Any frame, ping or pong on this connection: Slack is there (liveness heartbeat). */
  onSignOfLife?(): void;
}

/** undici reports WebSocket pings and pongs only here; the SDK listens on the same channels. */
const PING_CHANNEL = 'undici:websocket:ping';
const PONG_CHANNEL = 'undici:websocket:pong';

/**
 * Calls `onLife` for pings and pongs of this client's socket. The undici WebSocket sits in a field the
 * SDK's typings keep private; without it nothing matches and only frames count as signs of life.
 */
function watchPingPong(client: SocketModeClient, onLife: () => void): () => void {
  const handler = (message: unknown) => {
    const mine = (client as unknown as { websocket?: { websocket?: unknown } | null }).websocket?.websocket;
    if (mine !== undefined && (message as { websocket?: unknown } | null)?.websocket === mine) onLife();
  };
  subscribe(PING_CHANNEL, handler);
  subscribe(PONG_CHANNEL, handler);
  return () => {
    unsubscribe(PING_CHANNEL, handler);
    unsubscribe(PONG_CHANNEL, handler);
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return error === undefined ? 'closed before hello' : String(error);
}

/**
 * Opens one Socket Mode connection with a fresh SocketModeClient whose own reconnect is off: core's
 * ConnectionSupervisor owns reconnecting (backoff with jitter, a log line and a status per attempt). The
 * SDK's loop waits a fixed 5 s × failures without jitter, and (with its HTTP retries off, as here) a
 * network error while it fetches a new URL ends in a rejection nobody catches. Resolves on Slack's hello.
 */
export async function openSlackSocket(
  o: SlackSocketOptions,
  signal: AbortSignal,
): Promise<SupervisedConnection> {
  const { config, logger } = o;
  const dispatcher = createSlackSocketDispatcher();
  const client = new SocketModeClient({
    appToken: config.appToken,
    autoReconnectEnabled: false,
    logger: createSlackSdkLogger(logger),
    clientPingTimeout: config.clientPingTimeoutMs,
    serverPingTimeout: config.serverPingTimeoutMs,
    dispatcher: dispatcher.agent,
    clientOptions: {
      slackApiUrl: config.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: config.requestTimeoutMs,
    },
  });
  let dropReason: string | undefined;
  let lastError: unknown;
  let finished = false;
  let forceTimer: NodeJS.Timeout | undefined;
  let resolveClosed!: (drop: ConnectionDrop) => void;
  const closed = new Promise<ConnectionDrop>((resolve) => {
    resolveClosed = resolve;
  });

  guardSocketModeFrames(client, {
    logger,
    onDisconnectRequested: (reason) => {
      dropReason = `Slack asked for a new connection (${reason})`;
      o.onDisconnectRequested(reason);
    },
  });
  client.on('slack_event', (evt: SlackSocketEvent) => o.onEvent(evt));
  const onLife = o.onSignOfLife;
  const stopWatching = onLife ? watchPingPong(client, onLife) : () => {};
  if (onLife) client.on('ws_message', () => onLife());
  client.on('error', (error: unknown) => {
    lastError = error;
  });
  client.on('disconnected', () => {
    finished = true;
    stopWatching();
    clearTimeout(forceTimer);
    dispatcher.destroy();
    const reason = dropReason ?? (lastError ? `socket error: ${describe(lastError)}` : 'socket closed');
    resolveClosed(lastError && !dropReason ? { reason, error: lastError } : { reason });
  });

  const close = (reason: string) => {
    if (finished || forceTimer) return;
    dropReason ??= reason;
    client.disconnect().catch(() => {});
    // A peer that never answers the close frame would hold the socket (and the SDK's 30 s timer).
    forceTimer = setTimeout(() => dispatcher.destroy(), CLOSE_GRACE_MS);
  };

  // start() cannot be cancelled: an attempt abandoned while apps.connections.open was in flight still
  // opens its socket later. These hooks close such a socket as soon as it exists.
  const abandon = () => {
    client.disconnect().catch(() => {});
    dispatcher.destroy();
  };
  client.on('connecting', () => {
    if (signal.aborted) queueMicrotask(abandon);
  });
  client.on('connected', () => {
    if (signal.aborted) abandon();
  });
  const onAbort = () => close('connect aborted');
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.start();
  } catch (error) {
    stopWatching();
    abandon();
    if (signal.aborted) throw signal.reason;
    if (error === undefined) {
      const why = lastError ? describe(lastError) : 'the socket closed before Slack said hello';
      throw new AdapterError('network', `Slack Socket Mode connect failed: ${why}`, {
        platform: SLACK_PLATFORM,
        cause: lastError,
      });
    }
    throw slackErrorToAdapterError(error, { method: 'apps.connections.open', idempotent: true });
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (signal.aborted) {
    stopWatching();
    abandon();
    throw signal.reason;
  }
  return { closed, close };
}
