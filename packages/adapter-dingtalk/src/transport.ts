import { DingtalkAccessToken } from './access-token.js';
import type { DingtalkConfig } from './config.js';
import { DINGTALK_DEFAULT_API_BASE, DINGTALK_DEFAULT_OAPI_BASE } from './constants.js';
import { DingtalkRobotApi } from './robot-api.js';
import type { DingtalkStreamHooks } from './stream-client.js';
import { type DingtalkStreamConnection, openDingtalkStream } from './stream-connection.js';

/**
 * The wire to DingTalk: the Stream Mode socket (through the SDK) and the HTTP OpenAPI, all on
 * `config.apiBase`. Only the files behind it know URLs and frame shapes.
 */
export class DingtalkTransport {
  readonly #config: DingtalkConfig;
  readonly #token: DingtalkAccessToken;
  readonly api: DingtalkRobotApi;

  constructor(config: DingtalkConfig) {
    this.#config = config;
    this.#token = new DingtalkAccessToken({
      apiBase: config.apiBase,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      timeoutMs: config.requestTimeoutMs,
    });
    this.api = new DingtalkRobotApi({
      apiBase: config.apiBase,
      oapiBase: config.apiBase === DINGTALK_DEFAULT_API_BASE ? DINGTALK_DEFAULT_OAPI_BASE : config.apiBase,
      token: this.#token,
      timeoutMs: config.requestTimeoutMs,
    });
  }

  /** One Stream Mode connection; the supervisor calls it again after every drop. */
  connect(signal: AbortSignal, hooks: DingtalkStreamHooks): Promise<DingtalkStreamConnection> {
    return openDingtalkStream(
      {
        clientId: this.#config.clientId,
        clientSecret: this.#config.clientSecret,
        apiBase: this.#config.apiBase,
        timeoutMs: this.#config.connectTimeoutMs,
        token: this.#token,
        hooks,
      },
      signal,
    );
  }

  /** Checks the credentials with the cheapest authenticated call: fetching the app access token. */
  async checkCredentials(signal?: AbortSignal): Promise<void> {
    await this.#token.get(signal);
  }
}
