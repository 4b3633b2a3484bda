import { AdapterError } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { isSafeToRetry, toDiscordError } from './errors.js';

function httpError(name: string, status: number, code?: number): Error {
  return Object.assign(new Error(`status ${status}`), {
    name,
    status,
    ...(code === undefined ? {} : { code }),
  });
}

describe('toDiscordError', () => {
  it('maps Discord statuses and JSON codes, with fixes', () => {
    expect(toDiscordError(httpError('DiscordAPIError[50013]', 403, 50013), 'send')).toMatchObject({
      code: 'forbidden',
      fix: expect.stringMatching(/permission/),
    });
    expect(toDiscordError(httpError('DiscordAPIError[10003]', 404, 10003), 'send')).toMatchObject({
      code: 'not_found',
    });
    expect(toDiscordError(httpError('DiscordAPIError[0]', 401, 0), 'send')).toMatchObject({
      code: 'auth_failed',
      retryable: false,
    });
    expect(toDiscordError(httpError('HTTPError', 502), 'send')).toMatchObject({ code: 'server_error' });
    expect(toDiscordError(httpError('DiscordAPIError[40005]', 413, 40005), 'send')).toMatchObject({
      code: 'too_large',
    });
  });

  it('an abort is a timeout unless we are stopping', () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(toDiscordError(abort, 'send')).toMatchObject({ code: 'timeout_ambiguous', retryable: false });
    expect(toDiscordError(abort, 'send', true)).toMatchObject({ code: 'aborted' });
  });

  it('socket errors after the request may have gone out are not blindly retryable', () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    const error = toDiscordError(reset, 'send');
    expect(error.code).toBe('network');
    expect(isSafeToRetry(error, true)).toBe(true);
    expect(isSafeToRetry(error, false)).toBe(false);
    const refused = toDiscordError(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'send',
    );
    expect(isSafeToRetry(refused, false)).toBe(true);
    expect(isSafeToRetry(new AdapterError('timeout_ambiguous', 'x'), true)).toBe(false);
  });

  it('a rate limit the adapter refused to wait for carries its pause', () => {
    const error = Object.assign(new Error('limited'), { name: 'RateLimitError', retryAfter: 30_000 });
    expect(toDiscordError(error, 'send')).toMatchObject({ code: 'rate_limited', retryAfterMs: 30_000 });
  });
});
