import type { RequestFailure, RequestFailureCode } from '@hermes/adapter-core';
import type { ApiErrorSpec, OpenAiErrorType } from './openai-error.js';

interface WireError {
  status: number;
  type: OpenAiErrorType;
  /** The `code` OpenAI clients know for this case, where there is one. */
  code: string;
}

/**
 * Failures of the model behind the agent, as an OpenAI client expects to see them. The client's own
 * credentials were fine, so a provider's auth or availability problem is a 502 (bad gateway), not a 401.
 */
const WIRE_ERRORS: Record<RequestFailureCode, WireError> = {
  model_not_found: { status: 404, type: 'invalid_request_error', code: 'model_not_found' },
  model_auth_failed: { status: 502, type: 'server_error', code: 'model_auth_failed' },
  rate_limited: { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  context_too_long: { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded' },
  model_timeout: { status: 504, type: 'timeout_error', code: 'model_timeout' },
  model_unavailable: { status: 502, type: 'server_error', code: 'model_unavailable' },
  bad_request: { status: 400, type: 'invalid_request_error', code: 'bad_request' },
  internal_error: { status: 500, type: 'server_error', code: 'internal_error' },
};

export function failureToApiError(failure: RequestFailure): ApiErrorSpec {
  const wire = WIRE_ERRORS[failure.code] ?? WIRE_ERRORS.internal_error;
  const spec: ApiErrorSpec = { ...wire, message: failure.message };
  if (failure.code === 'rate_limited' && failure.retryAfterMs !== undefined && failure.retryAfterMs >= 0) {
    spec.headers = { 'retry-after': String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000))) };
  }
  return spec;
}
