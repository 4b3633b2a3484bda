/**
 * Errors the model transport rejects with. They copy the shapes Node's fetch uses, because the openai
 * client sorts failures by shape: `name === 'AbortError'` means the request was cancelled (by the caller:
 * APIUserAbortError; by the client's own timer: APIConnectionTimeoutError), anything else thrown before a
 * response is a connection error it retries.
 */

/** The request's signal fired: before the response, or while its body was being read. */
export class ModelFetchAbortError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'ABORT_ERR';
  constructor(reason: unknown) {
    super('This operation was aborted', { cause: reason });
  }
}

export type ModelFetchErrorCode =
  /** No response: refused, reset, DNS, TLS, proxy refused the tunnel… */
  | 'MODEL_FETCH_FAILED'
  /** The response started but its body broke off. */
  | 'MODEL_FETCH_TERMINATED';

/** A network failure, a TypeError with fetch's messages so code written against fetch reads it alike. */
export class ModelFetchError extends TypeError {
  override readonly name = 'TypeError';
  constructor(
    readonly code: ModelFetchErrorCode,
    cause: unknown,
  ) {
    super(code === 'MODEL_FETCH_FAILED' ? 'fetch failed' : 'terminated', { cause });
  }
}

/** What a transport failure becomes: an abort when the signal fired, a network error otherwise. */
export function transportFailure(
  error: unknown,
  signal: AbortSignal | undefined,
  code: ModelFetchErrorCode,
): Error {
  if (signal?.aborted) return new ModelFetchAbortError(signal.reason);
  if (error instanceof ModelFetchAbortError || error instanceof ModelFetchError) return error;
  return new ModelFetchError(code, error);
}
