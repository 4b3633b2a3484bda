import { AdapterError } from '@hermes/adapter-core';
import { DINGTALK_PLATFORM } from './constants.js';
import { dingtalkRequest } from './http.js';

/** Refresh this long before DingTalk says the token expires, so no call carries a token about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export interface DingtalkAccessTokenOptions {
  apiBase: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  now?: () => number;
}

interface TokenAnswer {
  accessToken?: unknown;
  expireIn?: unknown;
}

/**
 * The app access token for the robot and card OpenAPI (`POST /v1.0/oauth2/accessToken`), fetched once,
 * shared by concurrent callers, and refreshed before it expires or when DingTalk rejects it.
 */
export class DingtalkAccessToken {
  readonly #o: DingtalkAccessTokenOptions;
  readonly #now: () => number;
  #token: { value: string; refreshAt: number } | undefined;
  #inFlight: Promise<string> | undefined;

  constructor(options: DingtalkAccessTokenOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** A token valid for at least the refresh margin. */
  get(signal?: AbortSignal): Promise<string> {
    const token = this.#token;
    if (token && this.#now() < token.refreshAt) return Promise.resolve(token.value);
    this.#inFlight ??= this.#fetch(signal).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** DingTalk refused this token (revoked, rotated): the next get() fetches a new one. */
  invalidate(value: string): void {
    if (this.#token?.value === value) this.#token = undefined;
  }

  async #fetch(signal?: AbortSignal): Promise<string> {
    const answer = await dingtalkRequest<TokenAnswer>({
      url: `${this.#o.apiBase}/v1.0/oauth2/accessToken`,
      body: { appKey: this.#o.clientId, appSecret: this.#o.clientSecret },
      timeoutMs: this.#o.timeoutMs,
      label: 'access token',
      ...(signal ? { signal } : {}),
    });
    if (typeof answer.accessToken !== 'string' || answer.accessToken.length === 0) {
      throw new AdapterError('protocol', 'DingTalk access token answer has no accessToken', {
        platform: DINGTALK_PLATFORM,
      });
    }
    const lifetimeMs = (typeof answer.expireIn === 'number' ? answer.expireIn : 7200) * 1000;
    this.#token = {
      value: answer.accessToken,
      refreshAt: this.#now() + Math.max(lifetimeMs - REFRESH_MARGIN_MS, lifetimeMs / 2),
    };
    return answer.accessToken;
  }
}
