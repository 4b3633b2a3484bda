import { AdapterError, adapterErrorFromHttpStatus } from '@hermes/adapter-core';

/** Twilio's JSON error body: `{ code, message, more_info, status }`. */
interface TwilioErrorBody {
  code?: number;
  message?: string;
}

function errorBody(body: unknown): TwilioErrorBody {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  if (typeof value !== 'object' || value === null) return {};
  const o = value as Record<string, unknown>;
  return {
    ...(typeof o['code'] === 'number' ? { code: o['code'] } : {}),
    ...(typeof o['message'] === 'string' ? { message: o['message'] } : {}),
  };
}

/** What an operator can do about the Twilio error codes a bot meets in practice. */
const FIX_BY_CODE: Record<number, string> = {
  20003: 'Check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (Twilio console, Account Info).',
  21211: 'The "To" number is not a valid phone number: use E.164 (+ country code and number).',
  21606: 'TWILIO_PHONE_NUMBER cannot send SMS: pick an SMS-capable number of this account.',
  21608: 'Trial accounts can only text verified numbers: verify the recipient or upgrade the account.',
  21610: 'The recipient replied STOP: Twilio refuses messages to them until they reply START.',
  21408: 'Sending to this region is off: enable it under Messaging > Settings > Geo permissions.',
};

function retryAfterSeconds(headers: unknown): number | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const raw = (headers as Record<string, unknown>)['retry-after'];
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const at = Date.parse(String(raw));
  return Number.isFinite(at) ? Math.max(0, (at - Date.now()) / 1000) : undefined;
}

/** A non-2xx Twilio answer as an AdapterError: status → code, Retry-After kept, the Twilio code named. */
export function twilioHttpError(status: number, body: unknown, headers: unknown, what: string): AdapterError {
  const { code, message } = errorBody(body);
  const text = `Twilio ${what} failed: HTTP ${status}${code === undefined ? '' : ` (Twilio error ${code})`}${message ? `: ${message}` : ''}`;
  const retryAfter = retryAfterSeconds(headers);
  const base = adapterErrorFromHttpStatus(status, text, {
    platform: 'sms',
    ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
  });
  const fix = code === undefined ? undefined : FIX_BY_CODE[code];
  // 21610 (STOP) and friends are 400s already; auth problems come as 401 with code 20003.
  return new AdapterError(base.code, text, {
    platform: 'sms',
    retryable: base.retryable,
    ...(base.retryAfterMs === undefined ? {} : { retryAfterMs: base.retryAfterMs }),
    ...(fix === undefined ? (status === 401 ? { fix: FIX_BY_CODE[20003]! } : {}) : { fix }),
  });
}

/**
 * A request that got no HTTP answer. Refused before anything was sent is safe to repeat; anything later
 * (reset, hang-up, timeout) on a POST is ambiguous, because Twilio may already have queued the SMS and
 * a resend would text the person twice.
 */
export function twilioTransportError(error: unknown, method: string, what: string): AdapterError {
  const code = (error as { code?: unknown } | null)?.code;
  const errno = typeof code === 'string' ? code : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  const message = `Twilio ${what} got no answer: ${errno ?? 'error'}: ${detail}`;
  if (
    errno === 'ECONNREFUSED' ||
    errno === 'ENOTFOUND' ||
    errno === 'EAI_AGAIN' ||
    errno === 'EHOSTUNREACH'
  ) {
    return new AdapterError('network', message, {
      platform: 'sms',
      cause: error,
      fix: 'Check the network and TWILIO_API_BASE.',
    });
  }
  if (method.toUpperCase() === 'GET' && errno === 'ECONNRESET') {
    return new AdapterError('network', message, { platform: 'sms', cause: error });
  }
  return new AdapterError('timeout_ambiguous', message, { platform: 'sms', cause: error });
}
