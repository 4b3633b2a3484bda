import { AdapterError, adapterErrorFromHttpStatus } from '@hermes/adapter-core';
import {
  DINGTALK_DEFAULT_THROTTLE_MS,
  DINGTALK_ERRCODE_SEND_TOO_FAST,
  DINGTALK_PLATFORM,
} from './constants.js';

/** Errors that mean the request never left this machine: resending cannot duplicate anything. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** api.dingtalk.com error codes that mean "slow down" (it answers them with 403 as well as 429). */
const THROTTLE_CODE = /qpslimit|throttl|flowcontrol|ratelimit/i;
/** Wrong Client ID or Secret, as the token and stream endpoints say it. */
const BAD_CREDENTIALS_CODE = /invalidclientidorsecret|invalidauthentication|invalid.?app(key|secret)/i;

export interface DingtalkRequest {
  method?: 'GET' | 'POST' | 'PUT';
  url: string;
  body?: unknown;
  /** A multipart body instead of JSON (uploads); fetch sets its content type. */
  form?: FormData;
  headers?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Names the call in error messages, e.g. `robot batchSend`. */
  label: string;
}

function throttled(message: string, retryAfterMs = DINGTALK_DEFAULT_THROTTLE_MS): AdapterError {
  return new AdapterError('rate_limited', message, { platform: DINGTALK_PLATFORM, retryAfterMs });
}

function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
}

function errnoOf(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** A failure before any answer: `network` when nothing was sent, `timeout_ambiguous` when it may have been. */
function transportFailure(error: unknown, req: DingtalkRequest): AdapterError {
  if (req.signal?.aborted) {
    return new AdapterError('aborted', `DingTalk ${req.label} aborted`, {
      platform: DINGTALK_PLATFORM,
      cause: error,
    });
  }
  const errno = errnoOf(error);
  if (errno !== undefined && NOT_SENT.has(errno)) {
    return new AdapterError('network', `DingTalk ${req.label}: cannot reach DingTalk (${errno})`, {
      platform: DINGTALK_PLATFORM,
      cause: error,
    });
  }
  const why =
    error instanceof Error && error.name === 'TimeoutError'
      ? `no answer in ${req.timeoutMs} ms`
      : 'connection lost';
  return new AdapterError(
    'timeout_ambiguous',
    `DingTalk ${req.label}: ${why}; DingTalk may or may not have acted on it, so it is not resent`,
    { platform: DINGTALK_PLATFORM, cause: error },
  );
}

/** Reads `{code, message}` (api.dingtalk.com) or `{errcode, errmsg}` (oapi, session webhooks). */
function describeBody(body: unknown): { code?: string; message?: string; errcode?: number } {
  if (typeof body !== 'object' || body === null) return {};
  const o = body as Record<string, unknown>;
  const out: { code?: string; message?: string; errcode?: number } = {};
  if (typeof o['code'] === 'string') out.code = o['code'];
  if (typeof o['message'] === 'string') out.message = o['message'];
  if (typeof o['errmsg'] === 'string') out.message = o['errmsg'];
  if (typeof o['errcode'] === 'number') out.errcode = o['errcode'];
  return out;
}

/** An HTTP error answer as an AdapterError: throttling, bad credentials, or the status's shared code. */
export function dingtalkHttpError(
  status: number,
  body: unknown,
  label: string,
  retryAfterHeader: string | null = null,
): AdapterError {
  const { code, message } = describeBody(body);
  const what = `DingTalk ${label} failed: HTTP ${status}${code ? ` ${code}` : ''}${message ? ` (${message.slice(0, 200)})` : ''}`;
  if (status === 429 || (code !== undefined && THROTTLE_CODE.test(code))) {
    return throttled(what, retryAfterMs(retryAfterHeader) ?? DINGTALK_DEFAULT_THROTTLE_MS);
  }
  if (code !== undefined && BAD_CREDENTIALS_CODE.test(code)) {
    return new AdapterError('auth_failed', what, {
      platform: DINGTALK_PLATFORM,
      fix: "Check DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET (the app's Client ID and Client Secret in the DingTalk developer console).",
    });
  }
  return adapterErrorFromHttpStatus(status, what, { platform: DINGTALK_PLATFORM });
}

/** `errcode` in a 200 answer (session webhooks): 0 is success, 130101 is throttling. */
export function dingtalkErrcodeError(body: unknown, label: string): AdapterError | undefined {
  const { errcode, message } = describeBody(body);
  if (errcode === undefined || errcode === 0) return undefined;
  const what = `DingTalk ${label} refused: errcode ${errcode}${message ? ` (${message.slice(0, 200)})` : ''}`;
  if (errcode === DINGTALK_ERRCODE_SEND_TOO_FAST) return throttled(what);
  return new AdapterError('dingtalk_rejected', what, { platform: DINGTALK_PLATFORM, retryable: false });
}

/**
 * One JSON request to DingTalk. Resolves with the parsed answer of a 2xx; rejects with an AdapterError
 * whose code says whether a retry is safe. Request bodies are never put in errors or logs.
 */
export async function dingtalkRequest<T>(req: DingtalkRequest): Promise<T> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(req.url, {
      method: req.method ?? 'POST',
      headers: {
        accept: 'application/json',
        ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...req.headers,
      },
      ...(req.form !== undefined
        ? { body: req.form }
        : req.body === undefined
          ? {}
          : { body: JSON.stringify(req.body) }),
      signal,
    });
  } catch (error) {
    throw transportFailure(timeout.aborted && !req.signal?.aborted ? timeoutError(error) : error, req);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw transportFailure(error, req);
  }
  let body: unknown;
  try {
    body = text.length === 0 ? {} : JSON.parse(text);
  } catch {
    if (!response.ok)
      throw dingtalkHttpError(response.status, undefined, req.label, response.headers.get('retry-after'));
    throw new AdapterError(
      'protocol',
      `DingTalk ${req.label}: the answer is not JSON (HTTP ${response.status})`,
      {
        platform: DINGTALK_PLATFORM,
        retryable: false,
      },
    );
  }
  if (!response.ok) {
    throw dingtalkHttpError(response.status, body, req.label, response.headers.get('retry-after'));
  }
  return body as T;
}

function timeoutError(cause: unknown): Error {
  const error = new Error('timed out', { cause });
  error.name = 'TimeoutError';
  return error;
}
