import { describe, expect, it } from 'vitest';
import { AdapterError, adapterErrorFromHttpStatus, isAdapterError, toAdapterError } from './errors.js';

describe('AdapterError', () => {
  it('makes network, rate limit and server errors retryable by default', () => {
    expect(new AdapterError('network', 'x').retryable).toBe(true);
    expect(new AdapterError('rate_limited', 'x').retryable).toBe(true);
    expect(new AdapterError('server_error', 'x').retryable).toBe(true);
    expect(new AdapterError('auth_failed', 'x').retryable).toBe(false);
    expect(new AdapterError('bad_request', 'x').retryable).toBe(false);
  });

  it('never lets an ambiguous timeout be retried, even when asked', () => {
    const err = new AdapterError('timeout_ambiguous', 'no answer', { retryable: true });
    expect(err.retryable).toBe(false);
  });

  it('describes itself with platform, code and fix', () => {
    const err = new AdapterError('auth_failed', 'bad token', {
      platform: 'telegram',
      fix: 'set TELEGRAM_BOT_TOKEN',
    });
    expect(err.describe()).toBe('[telegram] bad token (auth_failed). Fix: set TELEGRAM_BOT_TOKEN');
    expect(err.toJSON()).toMatchObject({ code: 'auth_failed', platform: 'telegram', retryable: false });
    expect(isAdapterError(err)).toBe(true);
    expect(isAdapterError(new Error('x'))).toBe(false);
  });
});

describe('toAdapterError', () => {
  const errno = (code: string) => Object.assign(new Error(`boom ${code}`), { code });

  it('maps socket errors before a request to retryable network errors', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EAI_AGAIN']) {
      const mapped = toAdapterError(errno(code), 'slack');
      expect(mapped.code).toBe('network');
      expect(mapped.retryable).toBe(true);
      expect(mapped.platform).toBe('slack');
    }
  });

  it('maps timeouts to a non-retryable ambiguous timeout', () => {
    const mapped = toAdapterError(errno('ETIMEDOUT'));
    expect(mapped.code).toBe('timeout_ambiguous');
    expect(mapped.retryable).toBe(false);
  });

  it('keeps an AdapterError as it is and wraps non-errors', () => {
    const original = new AdapterError('too_large', 'big');
    expect(toAdapterError(original)).toBe(original);
    expect(toAdapterError('weird').code).toBe('unknown');
    const abort = new Error('stop');
    abort.name = 'AbortError';
    expect(toAdapterError(abort).code).toBe('aborted');
  });
});

describe('adapterErrorFromHttpStatus', () => {
  it('maps statuses and carries retry_after in ms', () => {
    const limited = adapterErrorFromHttpStatus(429, 'slow down', { retryAfterSeconds: 2.5 });
    expect(limited.code).toBe('rate_limited');
    expect(limited.retryAfterMs).toBe(2500);
    expect(adapterErrorFromHttpStatus(401, 'x').code).toBe('auth_failed');
    expect(adapterErrorFromHttpStatus(403, 'x').code).toBe('forbidden');
    expect(adapterErrorFromHttpStatus(404, 'x').code).toBe('not_found');
    expect(adapterErrorFromHttpStatus(413, 'x').code).toBe('too_large');
    expect(adapterErrorFromHttpStatus(502, 'x').code).toBe('server_error');
    expect(adapterErrorFromHttpStatus(400, 'x').code).toBe('bad_request');
  });
});
