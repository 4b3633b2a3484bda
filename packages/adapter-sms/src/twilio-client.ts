import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';
import { twilioHttpError, twilioTransportError } from './twilio-errors.js';

type RequestOptions<TData> = RequestClient.RequestOptions<TData>;
type RequestResult = Awaited<ReturnType<twilio.RequestClient['request']>>;

/**
 * The SDK's own HTTP client with one change: every request goes to `apiBase` (the SDK has no base-URL
 * option; `edge`/`region` only pick other *.twilio.com hosts). Path, query, auth, form encoding and
 * error handling stay the SDK's. Its keep-alive agents are ours, so stop() can close every socket.
 */
export class TwilioApiClient extends twilio.RequestClient {
  readonly #base: URL;
  readonly #agents: { http: HttpAgent; https: HttpsAgent };

  constructor(apiBase: string, timeoutMs = 30_000) {
    super({ timeout: timeoutMs, keepAlive: true });
    this.#base = new URL(apiBase);
    this.#agents = {
      http: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
      https: new HttpsAgent({ keepAlive: true, maxSockets: 50, timeout: timeoutMs }),
    };
    this.axios.defaults.httpAgent = this.#agents.http;
    this.axios.defaults.httpsAgent = this.#agents.https;
  }

  /**
   * Non-2xx answers and requests without an answer come out as AdapterErrors here, where the status,
   * the headers (Retry-After) and the method are still known; the SDK would keep only the status.
   */
  override async request<TData>(opts: RequestOptions<TData>): Promise<RequestResult & { body: TData }> {
    const uri = this.rebase(opts.uri);
    const what = `${opts.method.toUpperCase()} ${new URL(uri).pathname}`;
    let response: RequestResult;
    try {
      response = await super.request<TData>({ ...opts, uri });
    } catch (error) {
      throw twilioTransportError(error, opts.method, what);
    }
    if (response.statusCode >= 400) {
      throw twilioHttpError(response.statusCode, response.body, response.headers, what);
    }
    return response as RequestResult & { body: TData };
  }

  /** The SDK's absolute URL moved onto apiBase (path prefix of apiBase kept). */
  rebase(uri: string): string {
    const target = new URL(uri);
    const prefix = this.#base.pathname.replace(/\/$/, '');
    return `${this.#base.origin}${prefix}${target.pathname}${target.search}`;
  }

  /** Closes every pooled socket; requests still running finish on theirs. */
  close(): void {
    this.#agents.http.destroy();
    this.#agents.https.destroy();
  }
}

/** A Twilio REST client for one account, talking to `apiBase` through `http`. */
export function createTwilioRest(
  accountSid: string,
  authToken: string,
  http: TwilioApiClient,
): twilio.Twilio {
  // env: {} so TWILIO_REGION / TWILIO_EDGE / TWILIO_LOG_LEVEL in the process cannot redirect or log requests.
  return twilio(accountSid, authToken, { httpClient: http, env: {}, autoRetry: false });
}
