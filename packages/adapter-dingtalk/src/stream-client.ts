import { AdapterError } from '@hermes/adapter-core';
import { DWClient, type DWClientDownStream } from 'dingtalk-stream';
import type WebSocket from 'ws';
import type { DingtalkAccessToken } from './access-token.js';
import { DINGTALK_PLATFORM, DINGTALK_ROBOT_TOPIC } from './constants.js';
import { parseDingtalkStreamFrame } from './frames.js';
import { dingtalkRequest } from './http.js';

export interface DingtalkStreamHooks {
  /** A robot message frame; call `ack()` once it is handed over (DingTalk redelivers what is not acked). */
  onRobotMessage(frame: DWClientDownStream, ack: () => void): void;
  /** A frame that is not JSON or lacks what its type needs: logged, never thrown. */
  onMalformed(problem: string): void;
  /** Any valid frame arrived: the connection is alive. */
  onActivity(): void;
  /** DingTalk announced it will close this connection (SYSTEM `disconnect`): time to open a new one. */
  onServerDisconnect(): void;
  /** A handler threw while a frame was dispatched: logged, the connection goes on. */
  onHandlerError(error: unknown): void;
}

export interface DingtalkStreamClientOptions {
  clientId: string;
  clientSecret: string;
  apiBase: string;
  timeoutMs: number;
  token: DingtalkAccessToken;
  hooks: DingtalkStreamHooks;
}

/**
 * The SDK keeps these private and offers no endpoint option; the subclass reads them to point the socket at
 * `apiBase`'s ticket and to watch the socket it opened (the SDK reports no close).
 */
interface SdkInternals {
  dw_url?: string;
  socket?: WebSocket;
}

interface ConnectionsOpenAnswer {
  endpoint?: unknown;
  ticket?: unknown;
}

/**
 * dingtalk-stream's DWClient, with every HTTP call going to `apiBase` (the SDK hard-codes
 * api.dingtalk.com / oapi.dingtalk.com), its own reconnect loop off (core's supervisor reconnects), its
 * subscription list private to this instance (the SDK shares one default array between all clients), and
 * every frame parsed defensively (the SDK's `JSON.parse` would throw out of the socket's message handler
 * and crash the process on one bad frame). One instance serves one connection.
 */
export class DingtalkStreamClient extends DWClient {
  readonly #o: DingtalkStreamClientOptions;

  constructor(options: DingtalkStreamClientOptions) {
    super({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      ua: 'hermes-gateway',
      keepAlive: false,
      debug: false,
    });
    this.#o = options;
    this.config.autoReconnect = false;
    this.config.subscriptions = [];
    this.registerCallbackListener(DINGTALK_ROBOT_TOPIC, (frame: DWClientDownStream) => {
      options.hooks.onRobotMessage(frame, () => this.socketCallBackResponse(frame.headers.messageId, {}));
    });
  }

  /** The socket of the last `_connect()`, for close detection and pings. */
  get openedSocket(): WebSocket | undefined {
    return (this as unknown as SdkInternals).socket;
  }

  /** `POST {apiBase}/v1.0/gateway/connections/open`: the WebSocket endpoint and a one-time ticket. */
  override async getEndpoint(signal?: AbortSignal): Promise<this> {
    const answer = await dingtalkRequest<ConnectionsOpenAnswer>({
      url: `${this.#o.apiBase}/v1.0/gateway/connections/open`,
      body: {
        clientId: this.config.clientId,
        clientSecret: this.config.clientSecret,
        ua: this.config.ua,
        subscriptions: this.config.subscriptions,
      },
      timeoutMs: this.#o.timeoutMs,
      label: 'stream connections/open',
      ...(signal ? { signal } : {}),
    });
    const { endpoint, ticket } = answer;
    if (
      typeof endpoint !== 'string' ||
      !/^wss?:\/\//i.test(endpoint) ||
      typeof ticket !== 'string' ||
      !ticket
    ) {
      throw new AdapterError(
        'protocol',
        'DingTalk connections/open answered without a ws endpoint and ticket',
        {
          platform: DINGTALK_PLATFORM,
        },
      );
    }
    (this as unknown as SdkInternals).dw_url = `${endpoint}?ticket=${encodeURIComponent(ticket)}`;
    return this;
  }

  /** The new-style app token from `apiBase`, shared with the adapter's OpenAPI calls. */
  override async getAccessToken(): Promise<string> {
    const token = await this.#o.token.get();
    this.config.access_token = token;
    return token;
  }

  override onDownStream(data: string): void {
    const hooks = this.#o.hooks;
    const parsed = parseDingtalkStreamFrame(String(data));
    if (!parsed.ok) {
      hooks.onMalformed(parsed.problem);
      return;
    }
    const frame = parsed.frame;
    hooks.onActivity();
    try {
      if (frame.type === 'SYSTEM') {
        this.onSystem(frame);
        if (frame.headers.topic === 'disconnect') hooks.onServerDisconnect();
      } else if (frame.type === 'EVENT') {
        this.onEvent(frame);
      } else if (frame.headers.topic === DINGTALK_ROBOT_TOPIC) {
        this.onCallback(frame);
      } else {
        // Acked so that DingTalk stops redelivering a topic this bot never asked for.
        this.send(frame.headers.messageId, {});
        hooks.onMalformed(`callback on a topic this adapter does not handle: ${frame.headers.topic}`);
      }
    } catch (error) {
      hooks.onHandlerError(error);
    }
  }
}
