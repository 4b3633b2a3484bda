import {
  AdapterError,
  type AdapterErrorOptions,
  adapterErrorFromHttpStatus,
  toAdapterError,
} from '@hermes/adapter-core';
import { SLACK_PLATFORM } from './constants.js';

/** How a failed Web API call may be repeated: a non-idempotent call (a post) must never run twice. */
export interface SlackCallInfo {
  method: string;
  idempotent: boolean;
}

const AUTH_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'team_disabled',
  'user_removed_from_team',
]);
const FORBIDDEN_ERRORS = new Set([
  'not_in_channel',
  'is_archived',
  'restricted_action',
  'cant_update_message',
  'cant_delete_message',
  'edit_window_closed',
  'no_permission',
  'channel_is_archived',
]);
const NOT_FOUND_ERRORS = new Set([
  'channel_not_found',
  'message_not_found',
  'thread_not_found',
  'file_not_found',
  'user_not_found',
]);
/** Slack says of these that "some aspect of the operation may have succeeded": a resend could duplicate. */
const MAYBE_DONE_ERRORS = new Set(['internal_error', 'fatal_error']);
const TRANSIENT_ERRORS = new Set(['service_unavailable', 'request_timeout']);
/** Socket errors raised before the request left the machine: safe to send again. */
const NOT_SENT_ERRNOS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface SdkErrorShape {
  code?: unknown;
  data?: { error?: unknown; needed?: unknown; response_metadata?: { retryAfter?: unknown } };
  retryAfter?: unknown;
  statusCode?: unknown;
  original?: unknown;
  message?: unknown;
}

function base(cause: unknown): AdapterErrorOptions {
  return { platform: SLACK_PLATFORM, cause };
}

/** The errno-like code anywhere in a cause chain (fetch wraps socket errors in `TypeError: fetch failed`). */
function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    if (current.name === 'TimeoutError' || current.name === 'AbortError') return current.name;
    current = current.cause;
  }
  return undefined;
}

function fromPlatformError(slackError: string, err: SdkErrorShape, call: SlackCallInfo): AdapterError {
  const what = `Slack ${call.method} failed: ${slackError}`;
  const opts = base(err);
  if (slackError === 'ratelimited' || slackError === 'rate_limited') {
    const after = Number(err.data?.response_metadata?.retryAfter);
    return new AdapterError('rate_limited', what, {
      ...opts,
      ...(Number.isFinite(after) ? { retryAfterMs: after * 1000 } : {}),
    });
  }
  if (slackError === 'not_allowed_token_type') {
    return new AdapterError('auth_failed', what, {
      ...opts,
      fix: 'the Web API needs the bot token (xoxb-) and Socket Mode the app token (xapp-): check that SLACK_BOT_TOKEN and SLACK_APP_TOKEN are not swapped',
    });
  }
  if (AUTH_ERRORS.has(slackError)) {
    return new AdapterError('auth_failed', what, {
      ...opts,
      fix: 'reinstall the app to the workspace and copy fresh SLACK_BOT_TOKEN / SLACK_APP_TOKEN values',
    });
  }
  if (slackError === 'missing_scope') {
    const needed = typeof err.data?.needed === 'string' ? err.data.needed : 'the scope Slack names';
    return new AdapterError('forbidden', what, {
      ...opts,
      fix: `add ${needed} under OAuth & Permissions → Bot Token Scopes, then reinstall the app`,
    });
  }
  if (FORBIDDEN_ERRORS.has(slackError)) {
    const fix =
      slackError === 'not_in_channel' ? 'invite the bot to the channel (/invite @yourbot)' : undefined;
    return new AdapterError('forbidden', what, fix ? { ...opts, fix } : opts);
  }
  if (NOT_FOUND_ERRORS.has(slackError)) return new AdapterError('not_found', what, opts);
  if (slackError === 'msg_too_long') return new AdapterError('too_large', what, opts);
  if (slackError === 'already_reacted')
    return new AdapterError('already_reacted', what, { ...opts, retryable: false });
  if (MAYBE_DONE_ERRORS.has(slackError)) {
    return call.idempotent
      ? new AdapterError('server_error', what, opts)
      : new AdapterError('timeout_ambiguous', `${what} (Slack may have acted; not resent)`, opts);
  }
  if (TRANSIENT_ERRORS.has(slackError)) return new AdapterError('server_error', what, opts);
  if (!/^[a-z_]{2,64}$/.test(slackError)) {
    // The SDK puts an unparsable response body here: the server answered, so it may have acted.
    const short = `Slack ${call.method} answered with a body that is not JSON`;
    return call.idempotent
      ? new AdapterError('server_error', short, opts)
      : new AdapterError('timeout_ambiguous', `${short} (it may have acted; not resent)`, opts);
  }
  return new AdapterError('bad_request', what, { ...opts, retryable: false });
}

function fromRequestError(err: SdkErrorShape, call: SlackCallInfo): AdapterError {
  const code = causeCode(err.original) ?? 'unknown';
  const what = `Slack ${call.method} request failed (${code})`;
  if (NOT_SENT_ERRNOS.has(code)) return new AdapterError('network', what, base(err));
  // Reset, hang-up or timeout after the request went out: Slack may have posted it.
  return call.idempotent
    ? new AdapterError('network', what, base(err))
    : new AdapterError('timeout_ambiguous', `${what}; Slack may have acted, not resent`, base(err));
}

function fromHttpError(status: number, err: SdkErrorShape, call: SlackCallInfo): AdapterError {
  const what = `Slack ${call.method} answered HTTP ${status}`;
  if (!call.idempotent && (status === 500 || status === 504)) {
    return new AdapterError('timeout_ambiguous', `${what}; Slack may have acted, not resent`, base(err));
  }
  return adapterErrorFromHttpStatus(status, what, { platform: SLACK_PLATFORM });
}

/**
 * Turns whatever @slack/web-api threw into an AdapterError with the retry semantics the pacer relies on.
 * Ambiguous outcomes of non-idempotent calls become `timeout_ambiguous`, which nothing ever retries.
 */
export function slackErrorToAdapterError(error: unknown, call: SlackCallInfo): AdapterError {
  if (error instanceof AdapterError) return error;
  if (typeof error !== 'object' || error === null) return toAdapterError(error, SLACK_PLATFORM);
  const err = error as SdkErrorShape;
  switch (err.code) {
    case 'slack_webapi_rate_limited_error': {
      const after = Number(err.retryAfter);
      return new AdapterError('rate_limited', `Slack ${call.method} was rate limited`, {
        ...base(error),
        ...(Number.isFinite(after) ? { retryAfterMs: after * 1000 } : {}),
      });
    }
    case 'slack_webapi_platform_error':
      return fromPlatformError(String(err.data?.error ?? 'unknown_error'), err, call);
    case 'slack_webapi_request_error':
      return fromRequestError(err, call);
    case 'slack_webapi_http_error':
      return fromHttpError(Number(err.statusCode), err, call);
  }
  if (typeof err.message === 'string' && err.message.startsWith('Retry header did not contain')) {
    return new AdapterError(
      'rate_limited',
      `Slack ${call.method} was rate limited without a usable Retry-After`,
      base(error),
    );
  }
  return toAdapterError(error, SLACK_PLATFORM);
}
