import { AdapterError, type AdapterErrorCode, toAdapterError } from '@hermes/adapter-core';
import { FEISHU_CODES, FEISHU_PLATFORM } from './constants.js';

/** An error answer of the Feishu OpenAPI, with its business `code` kept for fallbacks. */
export class FeishuApiError extends AdapterError {
  readonly feishuCode: number;
  readonly httpStatus: number | undefined;

  constructor(
    code: AdapterErrorCode,
    feishuCode: number,
    message: string,
    o: { httpStatus?: number; retryAfterMs?: number; fix?: string } = {},
  ) {
    super(code, message, {
      platform: FEISHU_PLATFORM,
      ...(o.retryAfterMs !== undefined ? { retryAfterMs: o.retryAfterMs } : {}),
      ...(o.fix !== undefined ? { fix: o.fix } : {}),
    });
    this.feishuCode = feishuCode;
    this.httpStatus = o.httpStatus;
  }
}

interface AxiosLikeError {
  isAxiosError?: boolean;
  code?: string;
  message?: string;
  response?: { status?: number; data?: unknown; headers?: Record<string, unknown> };
}

function headerSeconds(headers: Record<string, unknown> | undefined, name: string): number | undefined {
  const raw = headers?.[name];
  const n = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Maps a Feishu `{code, msg}` answer (any HTTP status) to an error the pacer and the fallbacks understand. */
export function feishuErrorFromBody(
  body: { code?: unknown; msg?: unknown },
  httpStatus: number | undefined,
  headers?: Record<string, unknown>,
): FeishuApiError {
  const feishuCode = typeof body.code === 'number' ? body.code : -1;
  const msg = typeof body.msg === 'string' ? body.msg : 'no message';
  const text = `Feishu API error ${feishuCode}: ${msg}`;
  const retryAfterS =
    headerSeconds(headers, 'retry-after') ?? headerSeconds(headers, 'x-ogw-ratelimit-reset');
  if (httpStatus === 429 || feishuCode === FEISHU_CODES.rateLimited) {
    return new FeishuApiError('rate_limited', feishuCode, text, {
      ...(httpStatus !== undefined ? { httpStatus } : {}),
      ...(retryAfterS !== undefined ? { retryAfterMs: Math.ceil(retryAfterS * 1000) } : {}),
    });
  }
  const o = httpStatus !== undefined ? { httpStatus } : {};
  if (feishuCode === FEISHU_CODES.appSecretInvalid || feishuCode === FEISHU_CODES.appIdInvalid)
    return new FeishuApiError('auth_failed', feishuCode, text, {
      ...o,
      fix: 'Check FEISHU_APP_ID and FEISHU_APP_SECRET (Developer Console → Credentials & Basic Info).',
    });
  if (feishuCode === FEISHU_CODES.tokenInvalid || feishuCode === FEISHU_CODES.tokenExpired)
    return new FeishuApiError('auth_failed', feishuCode, text, o);
  if (httpStatus !== undefined && httpStatus >= 500)
    return new FeishuApiError('server_error', feishuCode, text, o);
  if (feishuCode === FEISHU_CODES.postContentInvalid && /post/i.test(msg))
    return new FeishuApiError('formatting_rejected', feishuCode, text, o);
  if (httpStatus === 403) return new FeishuApiError('forbidden', feishuCode, text, o);
  if (httpStatus === 404) return new FeishuApiError('not_found', feishuCode, text, o);
  return new FeishuApiError('bad_request', feishuCode, text, o);
}

/** Whatever the SDK's HTTP client threw, as an AdapterError; a timeout is ambiguous (never resent). */
export function feishuErrorFromThrown(error: unknown): AdapterError {
  if (error instanceof AdapterError) return error;
  const e = error as AxiosLikeError;
  if (e?.isAxiosError) {
    if (e.response) {
      const data = e.response.data;
      const body =
        typeof data === 'object' && data !== null ? (data as { code?: unknown; msg?: unknown }) : {};
      return feishuErrorFromBody(
        { code: body.code ?? -1, msg: body.msg ?? `HTTP ${e.response.status}` },
        e.response.status,
        e.response.headers,
      );
    }
    if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT')
      return new AdapterError('timeout_ambiguous', `Feishu request timed out: ${e.message ?? ''}`, {
        platform: FEISHU_PLATFORM,
      });
    if (e.code && /^E[A-Z]+$/.test(e.code))
      return new AdapterError('network', `${e.code}: ${e.message ?? ''}`, { platform: FEISHU_PLATFORM });
  }
  return toAdapterError(error, FEISHU_PLATFORM);
}
