import { AdapterError, type SupervisedConnection } from '@hermes/adapter-core';
import { WebSocket } from 'ws';
import { ECHO_CHAT_WS_PATH, type EchoChatClientFrame } from './protocol.js';

export interface EchoChatSocket extends SupervisedConnection {
  send(frame: EchoChatClientFrame): void;
  /** Resolves when the server answers this ping. */
  ping(): Promise<void>;
  /** Resolves once the TCP socket is really gone (close() only starts the closing handshake). */
  gone(): Promise<void>;
  terminate(): void;
}

/** A frame after `hello`: parsed, or the text and why it did not parse. */
export type EchoChatIncoming = { ok: true; frame: unknown } | { ok: false; text: string; error: string };

/**
 * Opens one WebSocket, waits for the server's `hello`, and wraps it for core's ConnectionSupervisor.
 * Every frame after `hello` (pongs aside) goes to `onFrame`, parsed or flagged as unparseable.
 */
export function openEchoChatSocket(o: {
  baseWsUrl: string;
  token: string;
  signal: AbortSignal;
  onFrame(incoming: EchoChatIncoming): void;
}): Promise<EchoChatSocket> {
  const ws = new WebSocket(`${o.baseWsUrl}${ECHO_CHAT_WS_PATH}?token=${encodeURIComponent(o.token)}`);
  const pings = new Map<number, () => void>();
  let nextPing = 1;
  const closed = new Promise<{ reason: string; error?: unknown }>((resolve) => {
    ws.once('close', (code, reason) => {
      const error =
        code === 4001
          ? new AdapterError('auth_failed', 'echo chat refused the token', { fix: 'check ECHO_CHAT_TOKEN' })
          : undefined;
      resolve({
        reason: `socket closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`,
        ...(error ? { error } : {}),
      });
    });
  });
  const gone = () => (ws.readyState === ws.CLOSED ? Promise.resolve() : closed.then(() => undefined));

  return new Promise<EchoChatSocket>((resolve, reject) => {
    const fail = (error: unknown) => {
      ws.terminate();
      reject(error);
    };
    const onAbort = () => fail(o.signal.reason);
    o.signal.addEventListener('abort', onAbort, { once: true });
    // Errors after the hello surface as 'close'; before it they fail the attempt.
    ws.on('error', (error) =>
      fail(new AdapterError('network', `echo chat socket: ${error.message}`, { cause: error })),
    );
    closed.then((info) =>
      fail(info.error ?? new AdapterError('network', `echo chat: ${info.reason} before hello`)),
    );
    ws.on('message', (data) => {
      const text = data.toString();
      let frame: unknown;
      try {
        frame = JSON.parse(text);
      } catch (error) {
        o.onFrame({ ok: false, text, error: (error as Error).message });
        return;
      }
      const type =
        typeof frame === 'object' && frame !== null ? (frame as { type?: unknown }).type : undefined;
      if (type === 'hello') {
        o.signal.removeEventListener('abort', onAbort);
        resolve(socket);
      } else if (type === 'pong') {
        pings.get(Number((frame as { n?: unknown }).n))?.();
      } else {
        o.onFrame({ ok: true, frame });
      }
    });
    const socket: EchoChatSocket = {
      closed,
      close: () => ws.close(1000, 'client closing'),
      send: (frame) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
      },
      ping: () =>
        new Promise<void>((done) => {
          const n = nextPing++;
          pings.set(n, () => {
            pings.delete(n);
            done();
          });
          socket.send({ type: 'ping', n });
        }),
      gone,
      terminate: () => ws.terminate(),
    };
  });
}

/** Waits for the socket to be gone, cutting it off if the closing handshake takes too long. */
export async function closeEchoChatSocket(
  socket: EchoChatSocket | undefined,
  timeoutMs = 2000,
): Promise<void> {
  if (socket === undefined) return;
  socket.close('stopping');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  if ((await Promise.race([socket.gone(), late])) === 'late') socket.terminate();
  clearTimeout(timer);
  await socket.gone();
}
