import {
  AdapterError,
  type ConnectionDrop,
  type Logger,
  type SupervisedConnection,
} from '@hermes/adapter-core';
import * as lark from '@larksuiteoapi/node-sdk';
import { FEISHU_CODES, FEISHU_DEFAULT_PING_INTERVAL_MS, FEISHU_PLATFORM } from './constants.js';
import { larkLoggerFor } from './sdk-logger.js';

export interface FeishuWsOptions {
  appId: string;
  appSecret: string;
  baseUrl: string;
  logger: Logger;
  dispatcher: lark.EventDispatcher;
  /** Bounds the endpoint call and the WebSocket handshake. */
  handshakeTimeoutMs: number;
  /** The server's ping interval, once the endpoint told it. */
  onPingInterval?(ms: number): void;
  /**
   * Called every ping interval while the SDK reports the socket connected. The SDK's pong watchdog
   * (`pingTimeout`) terminates a socket whose pong is missing, so "still connected" means "pong seen".
   */
  onAlive?(): void;
  /** Seconds the SDK waits for any frame after its ping before it cuts the socket. */
  pingTimeoutS: number;
}

type HttpInstance = NonNullable<ConstructorParameters<typeof lark.WSClient>[0]['httpInstance']>;

/**
 * The endpoint call of the long connection goes through this instance, so a refused or unreachable
 * endpoint is known at once (the SDK itself only logs it and retries on its own schedule).
 */
function endpointHttp(
  timeoutMs: number,
  seen: { fail(error: AdapterError): void; config(pingMs: number): void },
): HttpInstance {
  const instance = lark.defaultHttpInstance.create({ timeout: timeoutMs });
  instance.interceptors.response.use(
    (resp) => {
      const body = resp.data as {
        code?: number;
        msg?: string;
        data?: { ClientConfig?: { PingInterval?: number } };
      };
      if (body?.code === 0) {
        const ping = Number(body.data?.ClientConfig?.PingInterval);
        if (ping > 0) seen.config(ping * 1000);
      } else if (body && typeof body.code === 'number') {
        // 514 auth_failed and 403 forbidden are the endpoint's credential answers; the rest is worth a retry.
        const fatal = body.code === 514 || body.code === 403 || body.code === FEISHU_CODES.appSecretInvalid;
        seen.fail(
          new AdapterError(
            fatal ? 'auth_failed' : 'server_error',
            `Feishu refused the long connection: code ${body.code}, ${body.msg ?? ''}`,
            {
              platform: FEISHU_PLATFORM,
              ...(fatal
                ? {
                    fix: 'Check FEISHU_APP_ID and FEISHU_APP_SECRET, and that the app subscribes to events via the long connection (Events and Callbacks → persistent connection).',
                  }
                : {}),
            },
          ),
        );
      }
      return resp.data;
    },
    (error: unknown) => {
      const e = error as { code?: string; message?: string };
      seen.fail(
        new AdapterError(
          'network',
          `Feishu long-connection endpoint unreachable: ${e.code ?? ''} ${e.message ?? ''}`.trim(),
          {
            platform: FEISHU_PLATFORM,
          },
        ),
      );
      return Promise.reject(error);
    },
  );
  // The SDK's type says request() resolves with the body; the interceptor above makes that true.
  return instance as unknown as HttpInstance;
}

/**
 * Opens one long connection with the SDK's `WSClient` and hands it to core's supervisor: resolves once the
 * SDK reports ready, and `closed` settles when the SDK notices a drop. The SDK's own reconnect loop is cut
 * off right there (the client is closed and a new one made on the next attempt), so that reconnects follow
 * the supervisor's backoff, are logged per attempt and can never leave two sockets open.
 */
export function openFeishuWsConnection(
  o: FeishuWsOptions,
  signal: AbortSignal,
): Promise<SupervisedConnection> {
  return new Promise((resolve, reject) => {
    let client: lark.WSClient | undefined;
    let online = false;
    let pingMs = FEISHU_DEFAULT_PING_INTERVAL_MS;
    let alive: ReturnType<typeof setInterval> | undefined;
    let settled = false;
    let resolveClosed: (drop: ConnectionDrop) => void = () => {};
    const closed = new Promise<ConnectionDrop>((r) => {
      resolveClosed = r;
    });
    const shutdown = () => {
      if (alive) clearInterval(alive);
      alive = undefined;
      const c = client;
      client = undefined;
      // Deferred a tick: the SDK arms its retry timer right after the callback that told us about the drop,
      // and close() clears it only once it exists.
      if (c) setImmediate(() => c.close({ force: true }));
    };
    const failStart = (error: AdapterError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      shutdown();
      reject(error);
    };
    const timer = setTimeout(
      () =>
        failStart(
          new AdapterError('timeout', `Feishu long connection not ready within ${o.handshakeTimeoutMs} ms`, {
            platform: FEISHU_PLATFORM,
            retryable: true,
          }),
        ),
      o.handshakeTimeoutMs,
    );
    const onAbort = () =>
      failStart(new AdapterError('aborted', 'Feishu connect aborted', { platform: FEISHU_PLATFORM }));
    signal.addEventListener('abort', onAbort, { once: true });

    const connection: SupervisedConnection = {
      closed,
      close: (reason) => {
        if (!client) return;
        shutdown();
        resolveClosed({ reason });
      },
    };
    client = new lark.WSClient({
      appId: o.appId,
      appSecret: o.appSecret,
      domain: o.baseUrl,
      logger: larkLoggerFor(o.logger),
      loggerLevel: lark.LoggerLevel.warn,
      autoReconnect: true,
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      wsConfig: { pingTimeout: o.pingTimeoutS },
      httpInstance: endpointHttp(o.handshakeTimeoutMs, {
        fail: (error) => {
          if (!online) failStart(error);
        },
        config: (ms) => {
          pingMs = ms;
          o.onPingInterval?.(ms);
        },
      }),
      onReady: () => {
        if (settled) return;
        settled = true;
        online = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        alive = setInterval(() => {
          if (client?.getConnectionStatus().state === 'connected') o.onAlive?.();
        }, pingMs);
        alive.unref();
        resolve(connection);
      },
      onReconnecting: () => {
        if (!online || !client) return;
        shutdown();
        resolveClosed({
          reason: 'the Feishu long connection dropped',
          error: new AdapterError('network', 'the Feishu long connection dropped', {
            platform: FEISHU_PLATFORM,
          }),
        });
      },
      onError: (error: Error) => {
        if (!online) {
          failStart(
            new AdapterError('auth_failed', `Feishu long connection refused: ${error.message}`, {
              platform: FEISHU_PLATFORM,
              fix: 'Check FEISHU_APP_ID and FEISHU_APP_SECRET, and that the app receives events through the persistent connection.',
            }),
          );
          return;
        }
        shutdown();
        resolveClosed({ reason: error.message, error });
      },
    });
    void client.start({ eventDispatcher: o.dispatcher });
  });
}
