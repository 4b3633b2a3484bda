import { AdapterError, type AdapterErrorCode } from '@hermes/adapter-core';
import { WHATSAPP_ENV } from '../config.js';

const PLATFORM = 'whatsapp';

/** A Graph API refusal, with Meta's numeric error code kept for callers that act on it. */
export class WhatsappGraphError extends AdapterError {
  /** `error.code` of the Graph error body (131047, 130429, ...), when the body had one. */
  readonly graphCode: number | undefined;

  constructor(
    code: AdapterErrorCode,
    message: string,
    graphCode: number | undefined,
    options: { retryable?: boolean; retryAfterMs?: number; fix?: string } = {},
  ) {
    super(code, message, { ...options, platform: PLATFORM });
    this.graphCode = graphCode;
  }
}

/** Meta's re-engagement error: the 24-hour customer-service window is closed for this user. */
export const GRAPH_REENGAGEMENT = 131047;

/** Throttling codes and how long to wait when the answer carries no Retry-After. */
const THROTTLED: ReadonlyMap<number, number> = new Map([
  [4, 60_000], // app-level call limit
  [613, 60_000], // calls within one hour
  [80007, 60_000], // WhatsApp Business Account rate limit
  [130429, 1_000], // per-number throughput (80 messages/s by default)
  [131056, 6_000], // pair rate limit: one message every 6 s to the same user
]);

const AUTH_CODES = new Set([0, 190]);
const TEMPLATE_CODES = new Set([132000, 132001, 132005, 132007, 132012, 132015, 132016]);

interface GraphErrorBody {
  message?: unknown;
  code?: unknown;
  error_data?: { details?: unknown };
}

function graphErrorOf(body: unknown): GraphErrorBody | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  return typeof error === 'object' && error !== null ? (error as GraphErrorBody) : undefined;
}

/**
 * Maps a Graph API error answer to an AdapterError. Meta advises deciding on `error.code` and
 * `error_data.details`, not the HTTP status (throughput errors come back as 400), so the code wins and
 * the status is the fallback. The message names Meta's code and details; it never quotes the request.
 */
export function graphErrorFromResponse(
  status: number,
  body: unknown,
  retryAfterHeader: string | null,
): WhatsappGraphError {
  const error = graphErrorOf(body);
  const graphCode = typeof error?.code === 'number' ? error.code : Number(error?.code) || undefined;
  const title = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  const details = typeof error?.error_data?.details === 'string' ? `: ${error.error_data.details}` : '';
  const text = `Graph API refused the call (${graphCode === undefined ? `HTTP ${status}` : `#${graphCode}`}): ${title}${details}`;
  const retryAfterSeconds = retryAfterHeader === null ? Number.NaN : Number(retryAfterHeader);
  const headerWait =
    Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0 ? retryAfterSeconds * 1000 : undefined;

  const throttledFor = graphCode === undefined ? undefined : THROTTLED.get(graphCode);
  if (throttledFor !== undefined || status === 429) {
    return new WhatsappGraphError('rate_limited', text, graphCode, {
      retryAfterMs: headerWait ?? throttledFor ?? 1_000,
    });
  }
  if (status === 401 || (graphCode !== undefined && AUTH_CODES.has(graphCode))) {
    return new WhatsappGraphError('auth_failed', text, graphCode, {
      fix: `${WHATSAPP_ENV.accessToken} is invalid or expired: create a System User access token with the whatsapp_business_messaging permission in Meta Business Settings.`,
    });
  }
  if (
    status === 403 ||
    graphCode === 10 ||
    (graphCode !== undefined && graphCode >= 200 && graphCode <= 299)
  ) {
    return new WhatsappGraphError('forbidden', text, graphCode, {
      fix: `The token in ${WHATSAPP_ENV.accessToken} lacks whatsapp_business_messaging / whatsapp_business_management for this phone number.`,
    });
  }
  if (graphCode === GRAPH_REENGAGEMENT) return outsideWindowError(text, graphCode);
  if (graphCode !== undefined && TEMPLATE_CODES.has(graphCode)) {
    return new WhatsappGraphError('template_rejected', text, graphCode, {
      retryable: false,
      fix: `Check ${WHATSAPP_ENV.templateName} and ${WHATSAPP_ENV.templateLanguage}: the template must be approved, in that language, with exactly one {{1}} body variable (or set templateTextParameter: false).`,
    });
  }
  if (status === 404 || graphCode === 803) {
    return new WhatsappGraphError('not_found', text, graphCode, {
      fix: `Check ${WHATSAPP_ENV.phoneNumberId} (the phone number ID, not the number) and ${WHATSAPP_ENV.graphApiBase}.`,
    });
  }
  if (status === 413) return new WhatsappGraphError('too_large', text, graphCode);
  // Codes 1, 2 and 131000 are Meta's "unknown / service unavailable" family: worth another try.
  if (status >= 500 || graphCode === 1 || graphCode === 2 || graphCode === 131000) {
    return new WhatsappGraphError('server_error', text, graphCode, { retryable: true });
  }
  return new WhatsappGraphError('bad_request', text, graphCode);
}

/** The send was refused because the user has not written for 24 hours and no template is configured. */
export function outsideWindowError(detail: string, graphCode?: number): WhatsappGraphError {
  return new WhatsappGraphError('outside_customer_window', detail, graphCode, {
    retryable: false,
    fix: `WhatsApp only delivers free-form messages within 24 hours of the user's last message. Set ${WHATSAPP_ENV.templateName} (an approved template with one {{1}} body variable) and ${WHATSAPP_ENV.templateLanguage}, or wait until the user writes again.`,
  });
}
