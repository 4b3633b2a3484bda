import { AdapterError, adapterErrorFromHttpStatus } from '@hermes/adapter-core';
import { MATTERMOST_ENV } from './config.js';
import { Client4 } from './sdk.js';

const PLATFORM = 'mattermost';

/** Errno codes that mean nothing reached the server: always safe to send again. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface MattermostRestOptions {
  url: string;
  token: string;
  requestTimeoutMs: number;
}

export interface MattermostCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  body?: unknown;
  /**
   * A resend cannot duplicate anything (GETs, patches, posts carrying a pending_post_id), so a request
   * that was sent and never answered is reported as retryable `network`, not `timeout_ambiguous`.
   */
  idempotent: boolean;
  signal?: AbortSignal;
}

export interface MattermostResponse<T> {
  data: T;
  /** The server's clock, from the Date header (ms), when it sent one. */
  serverTime?: number;
}

/**
 * Mattermost's REST v4 through the official `Client4`: it builds every route and the auth headers
 * (`Authorization: BEARER`, `X-Requested-With`). The request itself goes through `fetch` here because
 * Client4's own methods throw a `ClientError` that keeps neither the HTTP status nor `Retry-After` when the
 * body is not JSON, which is how Mattermost's rate limiter answers (`429`, `limit exceeded`).
 */
export class MattermostRest {
  readonly client: Client4;
  readonly #timeoutMs: number;

  constructor(options: MattermostRestOptions) {
    this.client = new Client4();
    this.client.setUrl(options.url.replace(/\/+$/, ''));
    this.client.setToken(options.token);
    // Cookies belong to browsers; a bot authenticates with its token only.
    this.client.setIncludeCookies(false);
    this.#timeoutMs = options.requestTimeoutMs;
  }

  async call<T>(call: MattermostCall): Promise<MattermostResponse<T>> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
    const isForm = call.body instanceof FormData;
    const init = this.client.getOptions({
      method: call.method.toLowerCase(),
      ...(call.body === undefined
        ? {}
        : { body: isForm ? (call.body as FormData) : JSON.stringify(call.body) }),
    });
    let response: Response;
    try {
      response = await fetch(call.url, { ...init, method: call.method, signal } as RequestInit);
    } catch (error) {
      throw requestFailure(error, call, call.signal?.aborted === true);
    }
    const serverTime = parseDate(response.headers.get('date'));
    const text = await readText(response, call);
    if (!response.ok) throw httpFailure(response, text, call);
    const data = parseJson(text, response, call) as T;
    return serverTime === undefined ? { data } : { data, serverTime };
  }
}

/** `GET /users/me` → `/api/v4/users/me` in the messages: the route without ids or the host. */
function label(call: MattermostCall): string {
  const path = new URL(call.url).pathname.replace(/\/[a-z0-9]{26}(?=\/|$)/g, '/{id}');
  return `${call.method} ${path}`;
}

async function readText(response: Response, call: MattermostCall): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw requestFailure(error, call, false);
  }
}

function parseDate(value: string | null): number | undefined {
  if (value === null) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

function parseJson(text: string, response: Response, call: MattermostCall): unknown {
  if (text === '') return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AdapterError(
      'protocol',
      `Mattermost ${label(call)} answered ${response.status} with invalid JSON`,
      {
        platform: PLATFORM,
        retryable: call.idempotent,
      },
    );
  }
}

function retryAfterSeconds(headers: Headers): number | undefined {
  for (const name of ['retry-after', 'x-ratelimit-reset']) {
    const value = headers.get(name);
    if (value === null) continue;
    const seconds = Number(value.trim());
    if (Number.isFinite(seconds) && seconds >= 0) return seconds;
    const at = Date.parse(value);
    if (Number.isFinite(at)) return Math.max(0, (at - Date.now()) / 1000);
  }
  return undefined;
}

function httpFailure(response: Response, text: string, call: MattermostCall): AdapterError {
  let appError: { id?: unknown; message?: unknown } = {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null) appError = parsed as typeof appError;
  } catch {
    // Plain text (the rate limiter, a proxy): the status says enough.
  }
  const id = typeof appError.id === 'string' ? ` (${appError.id})` : '';
  const said = typeof appError.message === 'string' ? `: ${appError.message}` : '';
  const message = `Mattermost ${label(call)} failed with HTTP ${response.status}${id}${said}`;
  const retryAfter = response.status === 429 ? retryAfterSeconds(response.headers) : undefined;
  const error = adapterErrorFromHttpStatus(response.status, message, {
    platform: PLATFORM,
    ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
  });
  if (error.code === 'auth_failed') {
    return new AdapterError('auth_failed', message, {
      platform: PLATFORM,
      fix: `${MATTERMOST_ENV.token} is wrong, revoked or its account is deactivated: create a new bot access token (Integrations → Bot Accounts) and set it.`,
    });
  }
  if (error.code === 'forbidden') {
    return new AdapterError('forbidden', message, {
      platform: PLATFORM,
      fix: 'Add the bot to the channel (or team) it should use, and give it the post:all or post:channels role if it posts outside its channels.',
    });
  }
  return error;
}

function requestFailure(error: unknown, call: MattermostCall, stopped: boolean): AdapterError {
  const where = label(call);
  if (stopped)
    return new AdapterError('aborted', `Mattermost ${where} was aborted`, {
      platform: PLATFORM,
      cause: error,
    });
  const name = error instanceof Error ? error.name : '';
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  const errno = cause?.code ?? (error as NodeJS.ErrnoException | undefined)?.code;
  if (errno !== undefined && NOT_SENT.has(errno)) {
    return new AdapterError('network', `Mattermost ${where}: ${errno} (server unreachable)`, {
      platform: PLATFORM,
      cause: error,
      fix: `Check ${MATTERMOST_ENV.url} and that the server is running.`,
    });
  }
  const timedOut = name === 'TimeoutError' || name === 'AbortError';
  const what = timedOut
    ? 'timed out'
    : `lost the connection (${errno ?? (error instanceof Error ? error.message : String(error))})`;
  // Sent, no answer: the server may have acted. Only a request that cannot duplicate is resent.
  return new AdapterError(call.idempotent ? 'network' : 'timeout_ambiguous', `Mattermost ${where} ${what}`, {
    platform: PLATFORM,
    cause: error,
  });
}
