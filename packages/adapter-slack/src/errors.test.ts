import { AdapterError } from '@hermes/adapter-core';
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { slackErrorToAdapterError } from './errors.js';

const post = { method: 'chat.postMessage', idempotent: false };
const update = { method: 'chat.update', idempotent: true };
const platform = (error: string, extra: Record<string, unknown> = {}) =>
  new WebAPIPlatformError({ ok: false, error, ...extra } as never);
const requestError = (cause: Error) =>
  new WebAPIRequestError(Object.assign(new TypeError('fetch failed'), { cause }));
const errno = (code: string) => Object.assign(new Error(code), { code });

describe('slackErrorToAdapterError', () => {
  it('a 429 carries Retry-After in milliseconds', () => {
    const e = slackErrorToAdapterError(new WebAPIRateLimitedError(7), post);
    expect(e).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 7_000 });
    const body = slackErrorToAdapterError(
      platform('ratelimited', { response_metadata: { retryAfter: 2 } }),
      post,
    );
    expect(body).toMatchObject({ code: 'rate_limited', retryAfterMs: 2_000 });
  });

  it('maps Slack error strings to shared codes with fixes', () => {
    expect(slackErrorToAdapterError(platform('invalid_auth'), post)).toMatchObject({
      code: 'auth_failed',
      retryable: false,
    });
    expect(slackErrorToAdapterError(platform('not_allowed_token_type'), post).fix).toMatch(/swapped/);
    expect(slackErrorToAdapterError(platform('missing_scope', { needed: 'chat:write' }), post).fix).toMatch(
      /chat:write/,
    );
    expect(slackErrorToAdapterError(platform('not_in_channel'), post)).toMatchObject({ code: 'forbidden' });
    expect(slackErrorToAdapterError(platform('channel_not_found'), post)).toMatchObject({
      code: 'not_found',
    });
    expect(slackErrorToAdapterError(platform('msg_too_long'), post)).toMatchObject({ code: 'too_large' });
    expect(slackErrorToAdapterError(platform('service_unavailable'), post)).toMatchObject({
      code: 'server_error',
      retryable: true,
    });
    expect(slackErrorToAdapterError(platform('invalid_blocks'), post)).toMatchObject({
      code: 'bad_request',
      retryable: false,
    });
  });

  it('outcomes where Slack may have posted are never retryable for a post, but are for idempotent calls', () => {
    expect(slackErrorToAdapterError(platform('internal_error'), post)).toMatchObject({
      code: 'timeout_ambiguous',
      retryable: false,
    });
    expect(slackErrorToAdapterError(platform('internal_error'), update)).toMatchObject({
      code: 'server_error',
      retryable: true,
    });
    expect(slackErrorToAdapterError(platform('{"ok": tru'), post)).toMatchObject({
      code: 'timeout_ambiguous',
    });
    expect(slackErrorToAdapterError(new WebAPIHTTPError(500, 'x', {}, ''), post)).toMatchObject({
      code: 'timeout_ambiguous',
    });
    expect(slackErrorToAdapterError(new WebAPIHTTPError(503, 'x', {}, ''), post)).toMatchObject({
      code: 'server_error',
      retryable: true,
    });
    const reset = requestError(errno('UND_ERR_SOCKET'));
    expect(slackErrorToAdapterError(reset, post)).toMatchObject({ code: 'timeout_ambiguous' });
    expect(slackErrorToAdapterError(reset, update)).toMatchObject({ code: 'network', retryable: true });
    const timeout = requestError(Object.assign(new Error('timed out'), { name: 'TimeoutError' }));
    expect(slackErrorToAdapterError(timeout, post)).toMatchObject({ code: 'timeout_ambiguous' });
  });

  it('a connection that was refused never reached Slack, so even a post may be retried', () => {
    expect(slackErrorToAdapterError(requestError(errno('ECONNREFUSED')), post)).toMatchObject({
      code: 'network',
      retryable: true,
    });
  });

  it('passes AdapterErrors through', () => {
    const original = new AdapterError('aborted', 'x');
    expect(slackErrorToAdapterError(original, post)).toBe(original);
  });
});
