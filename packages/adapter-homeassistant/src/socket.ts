import { AdapterError } from '@hermes/adapter-core';
import { HOME_ASSISTANT_PLATFORM } from './config.js';

type Listener = (event: { data: unknown }) => void;

/** The part of a WebSocket that `home-assistant-js-websocket`'s Connection uses. */
export interface HomeAssistantSocket {
  readonly haVersion: string;
  readonly readyState: number;
  readonly OPEN: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: string, listener: Listener): void;
  removeEventListener(type: string, listener: Listener): void;
}

/** Why a frame was not handed on: the library would throw on it inside an event listener. */
export type MalformedFrame = (problem: string) => void;

function problemOf(data: unknown): string | undefined {
  if (typeof data !== 'string') return 'binary frame (Home Assistant sends JSON text)';
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return 'frame is not JSON';
  }
  const items = Array.isArray(parsed) ? parsed : [parsed];
  const bad = items.find(
    (m) => typeof m !== 'object' || m === null || typeof (m as { type?: unknown }).type !== 'string',
  );
  return bad === undefined ? undefined : 'message without a string "type"';
}

/**
 * Hands the library only frames it can read. It parses frames inside a socket event listener, where a
 * throw becomes an uncaught exception that would take the whole gateway down; here a bad frame is
 * reported and dropped instead.
 */
class GuardedSocket implements HomeAssistantSocket {
  readonly #ws: WebSocket;
  readonly #onMalformed: MalformedFrame;
  readonly #wrapped = new Map<Listener, (event: MessageEvent) => void>();
  readonly haVersion: string;
  readonly OPEN = WebSocket.OPEN;

  constructor(ws: WebSocket, haVersion: string, onMalformed: MalformedFrame) {
    this.#ws = ws;
    this.haVersion = haVersion;
    this.#onMalformed = onMalformed;
  }

  get readyState(): number {
    return this.#ws.readyState;
  }

  send(data: string): void {
    this.#ws.send(data);
  }

  close(): void {
    this.#ws.close();
  }

  addEventListener(type: string, listener: Listener): void {
    if (type !== 'message') {
      this.#ws.addEventListener(type, listener as unknown as (event: Event) => void);
      return;
    }
    const guarded = (event: MessageEvent) => {
      const problem = problemOf(event.data);
      if (problem) this.#onMalformed(problem);
      else listener({ data: event.data });
    };
    this.#wrapped.set(listener, guarded);
    this.#ws.addEventListener('message', guarded);
  }

  removeEventListener(type: string, listener: Listener): void {
    if (type !== 'message') {
      this.#ws.removeEventListener(type, listener as unknown as (event: Event) => void);
      return;
    }
    const guarded = this.#wrapped.get(listener);
    if (guarded) this.#ws.removeEventListener('message', guarded);
    this.#wrapped.delete(listener);
  }
}

export interface OpenSocketOptions {
  /** `ws(s)://host/api/websocket` */
  url: string;
  token: string;
  signal: AbortSignal;
  timeoutMs: number;
  onMalformed: MalformedFrame;
}

const fail = (code: string, message: string, fix?: string) =>
  new AdapterError(
    code,
    message,
    fix ? { platform: HOME_ASSISTANT_PLATFORM, fix } : { platform: HOME_ASSISTANT_PLATFORM },
  );

/**
 * Opens the socket and runs the auth phase (`auth_required` → `auth` → `auth_ok`). Written here rather than
 * left to the library so that a refused token is a typed `auth_failed` (the supervisor stops retrying), a
 * silent server times out, and a stop aborts the handshake.
 */
export function openHomeAssistantSocket(o: OpenSocketOptions): Promise<HomeAssistantSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(o.url);
    let settled = false;
    const finish = (error: AdapterError | undefined, socket?: HomeAssistantSocket) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      ws.removeEventListener('message', onMessage);
      ws.removeEventListener('close', onClose);
      if (error) {
        ws.close();
        reject(error);
      } else resolve(socket!);
    };
    const onAbort = () => finish(fail('aborted', 'Home Assistant connect aborted'));
    const onClose = () =>
      finish(fail('network', `Home Assistant closed the connection to ${o.url} before auth completed`));
    const onMessage = (event: MessageEvent) => {
      let msg: { type?: unknown; ha_version?: unknown; message?: unknown };
      try {
        msg = JSON.parse(String(event.data)) as typeof msg;
      } catch {
        finish(fail('protocol', 'Home Assistant sent a frame that is not JSON during auth'));
        return;
      }
      if (msg.type === 'auth_required') ws.send(JSON.stringify({ type: 'auth', access_token: o.token }));
      else if (msg.type === 'auth_invalid')
        finish(
          fail(
            'auth_failed',
            `Home Assistant refused the token${typeof msg.message === 'string' ? `: ${msg.message}` : ''}`,
            'Create a long-lived access token (your profile → Security) and set it as HASS_TOKEN.',
          ),
        );
      else if (msg.type === 'auth_ok')
        finish(
          undefined,
          new GuardedSocket(ws, typeof msg.ha_version === 'string' ? msg.ha_version : '0.0.0', o.onMalformed),
        );
    };
    const timer = setTimeout(
      () => finish(fail('timeout', `Home Assistant did not complete auth within ${o.timeoutMs} ms`)),
      o.timeoutMs,
    );
    if (o.signal.aborted) {
      onAbort();
      return;
    }
    o.signal.addEventListener('abort', onAbort, { once: true });
    ws.addEventListener('message', onMessage);
    ws.addEventListener('close', onClose);
    // 'error' is always followed by 'close', which settles.
    ws.addEventListener('error', () => {});
  });
}
