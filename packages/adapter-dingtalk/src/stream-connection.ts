import { AdapterError, type ConnectionDrop, type SupervisedConnection } from '@hermes/adapter-core';
import WebSocket from 'ws';
import { DINGTALK_PLATFORM } from './constants.js';
import { DingtalkStreamClient, type DingtalkStreamClientOptions } from './stream-client.js';

/** One open Stream Mode socket, as core's supervisor sees it, plus the ping its heartbeat sends. */
export interface DingtalkStreamConnection extends SupervisedConnection {
  readonly id: number;
  /** Resolves on the pong; rejects when the socket is gone. The supervisor times it out. */
  ping(): Promise<void>;
}

let connectionCounter = 0;

function networkError(message: string, cause?: unknown): AdapterError {
  return new AdapterError('network', message, {
    platform: DINGTALK_PLATFORM,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Asks `apiBase` for a ticket, opens the socket through the SDK, and resolves once it is open. Honours
 * `signal` at every step: an abandoned attempt leaves no socket behind.
 */
export async function openDingtalkStream(
  options: DingtalkStreamClientOptions,
  signal: AbortSignal,
): Promise<DingtalkStreamConnection> {
  const client = new DingtalkStreamClient(options);
  await client.getEndpoint(signal);
  if (signal.aborted) throw networkError('DingTalk connect aborted');
  const opening = client._connect();
  const socket = client.openedSocket;
  if (!socket) throw networkError('the DingTalk SDK did not create a socket');
  const id = ++connectionCounter;
  const closed = new Promise<ConnectionDrop>((resolve) => {
    socket.once('close', (code: number, reason: Buffer) => {
      const text = reason.toString();
      resolve({ reason: `closed by DingTalk (code ${code}${text ? `, ${text}` : ''})` });
    });
  });
  const onAbort = () => socket.terminate();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await opening;
  } catch (error) {
    socket.terminate();
    throw networkError(
      `cannot open the DingTalk stream socket: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (signal.aborted) {
    socket.terminate();
    throw networkError('DingTalk connect aborted');
  }
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  void closed.then(() => clearTimeout(killTimer));
  return {
    id,
    closed,
    close(reason: string) {
      if (socket.readyState === WebSocket.CLOSED || killTimer) return;
      socket.close(1000, reason.slice(0, 120));
      // A peer that never answers the close frame must not keep the socket (or the process) alive.
      killTimer = setTimeout(() => socket.terminate(), 1_000);
    },
    ping() {
      return new Promise<void>((resolve, reject) => {
        if (socket.readyState !== WebSocket.OPEN) {
          reject(networkError('DingTalk socket is not open'));
          return;
        }
        const onPong = () => {
          socket.off('close', onClose);
          resolve();
        };
        const onClose = () => {
          socket.off('pong', onPong);
          reject(networkError('DingTalk socket closed before the pong'));
        };
        socket.once('pong', onPong);
        socket.once('close', onClose);
        socket.ping();
      });
    },
  };
}
