import { randomUUID } from 'node:crypto';
import {
  AdapterError,
  adapterErrorFromHttpStatus,
  type ConnectionDrop,
  type SupervisedConnection,
  toAdapterError,
} from '@hermes/adapter-core';
import {
  type Connection,
  callService,
  createConnection,
  getServices,
  getStates,
  type HassEntity,
  type HassServices,
  type HassServiceTarget,
  type HaWebSocket,
} from 'home-assistant-js-websocket';
import { HOME_ASSISTANT_PLATFORM, type HomeAssistantConfig } from './config.js';
import { openHomeAssistantSocket } from './socket.js';

export interface HomeAssistantTransportOptions {
  config: HomeAssistantConfig;
  /** Each `state_changed` event, unchecked, in arrival order. */
  onEvent(event: unknown): void;
  onMalformed(problem: string): void;
}

const AUTH_TIMEOUT_MS = 10_000;
const REST_TIMEOUT_MS = 15_000;

/** `http://host:8123/` → `ws://host:8123/api/websocket` (https → wss), keeping a path prefix (ingress). */
export function homeAssistantWebSocketUrl(base: string): string {
  const url = new URL(base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/websocket`;
  return url.toString();
}

/**
 * The wire: the WebSocket API (events in, tools' commands) through `home-assistant-js-websocket`, and the
 * REST API for notifications and the probe, which work while the socket reconnects. The library's own
 * reconnect loop is switched off on every drop: the adapter's supervisor owns reconnecting, with the
 * spec's backoff.
 */
export class HomeAssistantTransport {
  readonly #o: HomeAssistantTransportOptions;
  #conn: Connection | undefined;

  constructor(options: HomeAssistantTransportOptions) {
    this.#o = options;
  }

  async connect(signal: AbortSignal): Promise<SupervisedConnection> {
    const { config } = this.#o;
    const conn = await createConnection({
      setupRetry: 0,
      createSocket: async () =>
        (await openHomeAssistantSocket({
          url: homeAssistantWebSocketUrl(config.url),
          token: config.token,
          signal,
          timeoutMs: AUTH_TIMEOUT_MS,
          onMalformed: this.#o.onMalformed,
        })) as unknown as HaWebSocket,
    }).catch((error: unknown) => {
      throw toAdapterError(error, HOME_ASSISTANT_PLATFORM);
    });
    let drop!: (d: ConnectionDrop) => void;
    const closed = new Promise<ConnectionDrop>((resolve) => {
      drop = resolve;
    });
    conn.addEventListener('disconnected', () => {
      // Stops the library's reconnect timer before it fires; the supervisor reconnects instead.
      conn.close();
      if (this.#conn === conn) this.#conn = undefined;
      drop({ reason: 'Home Assistant closed the connection' });
    });
    try {
      await conn.subscribeEvents((event) => this.#o.onEvent(event), 'state_changed');
    } catch (error) {
      conn.close();
      throw commandError(error, 'subscribe_events state_changed');
    }
    this.#conn = conn;
    return {
      closed,
      close: (reason) => {
        conn.close();
        if (this.#conn === conn) this.#conn = undefined;
        drop({ reason });
      },
    };
  }

  /** Application-level ping: a socket that looks open but is dead is noticed by the supervisor. */
  async ping(): Promise<void> {
    await this.#live().ping();
  }

  async states(): Promise<HassEntity[]> {
    return getStates(this.#live()).catch((e: unknown) => {
      throw commandError(e, 'get_states');
    });
  }

  async services(): Promise<HassServices> {
    return getServices(this.#live()).catch((e: unknown) => {
      throw commandError(e, 'get_services');
    });
  }

  async callService(
    domain: string,
    service: string,
    data: Record<string, unknown>,
    target: HassServiceTarget | undefined,
  ): Promise<unknown> {
    return callService(this.#live(), domain, service, data, target).catch((e: unknown) => {
      throw commandError(e, `call_service ${domain}.${service}`);
    });
  }

  /**
   * One persistent notification. The id is fixed per chunk, so a retried call replaces the notification
   * instead of adding a second one.
   */
  async notify(message: string, notificationId: string = `hermes-${randomUUID()}`): Promise<string> {
    await this.#rest('POST', '/api/services/persistent_notification/create', {
      message,
      title: this.#o.config.notificationTitle,
      notification_id: notificationId,
    });
    return notificationId;
  }

  /** `GET /api/` answers `{"message": "API running."}` to a valid token. */
  async probe(): Promise<string> {
    const body = (await this.#rest('GET', '/api/')) as { message?: unknown } | undefined;
    return typeof body?.message === 'string' ? body.message : 'API running';
  }

  #live(): Connection {
    const conn = this.#conn;
    if (!conn?.connected)
      throw new AdapterError('not_connected', 'Home Assistant is not connected right now', {
        platform: HOME_ASSISTANT_PLATFORM,
        fix: 'The gateway reconnects by itself; try again in a minute, or check HASS_URL.',
      });
    return conn;
  }

  async #rest(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const base = this.#o.config.url.replace(/\/+$/, '');
    let res: Response;
    try {
      const init: RequestInit = {
        method,
        headers: { authorization: `Bearer ${this.#o.config.token}`, 'content-type': 'application/json' },
        signal: AbortSignal.timeout(REST_TIMEOUT_MS),
      };
      if (body !== undefined) init.body = JSON.stringify(body);
      res = await fetch(`${base}${path}`, init);
    } catch (error) {
      throw toAdapterError(error, HOME_ASSISTANT_PLATFORM);
    }
    const text = await res.text();
    if (!res.ok) {
      const retryAfter = Number(res.headers.get('retry-after'));
      const options: { platform: string; retryAfterSeconds?: number } = { platform: HOME_ASSISTANT_PLATFORM };
      if (Number.isFinite(retryAfter) && retryAfter > 0) options.retryAfterSeconds = retryAfter;
      throw adapterErrorFromHttpStatus(
        res.status,
        `Home Assistant ${method} ${path} answered ${res.status}`,
        options,
      );
    }
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      throw new AdapterError(
        'protocol',
        `Home Assistant ${method} ${path} answered with a body that is not JSON`,
        {
          platform: HOME_ASSISTANT_PLATFORM,
        },
      );
    }
  }
}

/** The library rejects commands with `{code, message}` or a bare number; make it a typed error. */
function commandError(error: unknown, what: string): AdapterError {
  if (error instanceof AdapterError) return error;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const e = error as { code?: unknown; message?: unknown };
    const code =
      e.code === 'not_found' ? 'not_found' : e.code === 'unauthorized' ? 'forbidden' : 'bad_request';
    return new AdapterError(code, `Home Assistant ${what} failed: ${String(e.message)}`, {
      platform: HOME_ASSISTANT_PLATFORM,
    });
  }
  // ERR_CONNECTION_LOST (3) and friends are bare numbers.
  return new AdapterError('network', `Home Assistant ${what} failed: connection lost (${String(error)})`, {
    platform: HOME_ASSISTANT_PLATFORM,
  });
}
