import { AdapterError, adapterErrorFromHttpStatus, toAdapterError } from '@hermes/adapter-core';
import { ConnectionError, MatrixError } from 'matrix-js-sdk';

const PLATFORM = 'matrix';

/**
 * matrix-js-sdk errors → the shared codes. M_LIMIT_EXCEEDED keeps `retry_after_ms` (body or Retry-After) so
 * the send pacer waits exactly that long; M_UNKNOWN_TOKEN is fatal (auth_failed) with the variable to fix.
 */
export function matrixAdapterError(error: unknown, what: string): AdapterError {
  if (error instanceof AdapterError) return error;
  if (error instanceof MatrixError) {
    const status = error.httpStatus ?? 500;
    const detail = `${what}: ${error.errcode ?? 'HTTP ' + status}: ${error.data.error ?? error.message}`;
    if (error.errcode === 'M_UNKNOWN_TOKEN' || error.errcode === 'M_MISSING_TOKEN' || status === 401) {
      return new AdapterError('auth_failed', detail, {
        platform: PLATFORM,
        fix: 'The access token was refused: set a fresh MATRIX_ACCESS_TOKEN, or MATRIX_USER_ID + MATRIX_PASSWORD (the adapter logs in again).',
        cause: error,
      });
    }
    if (error.errcode === 'M_LIMIT_EXCEEDED' || status === 429) {
      const retryAfterMs = error.getRetryAfterMs() ?? 1_000;
      return new AdapterError('rate_limited', detail, { platform: PLATFORM, retryAfterMs, cause: error });
    }
    if (error.errcode === 'M_TOO_LARGE') return new AdapterError('too_large', detail, { platform: PLATFORM });
    return adapterErrorFromHttpStatus(status, detail, { platform: PLATFORM });
  }
  if (error instanceof ConnectionError) {
    return new AdapterError('network', `${what}: ${error.message}`, { platform: PLATFORM, cause: error });
  }
  const wrapped = toAdapterError(error, PLATFORM);
  return wrapped.code === 'unknown'
    ? new AdapterError('unknown', `${what}: ${wrapped.message}`, { platform: PLATFORM, cause: error })
    : wrapped;
}
