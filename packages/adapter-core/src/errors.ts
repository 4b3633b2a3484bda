/**
 * Machine-readable error codes shared by every adapter. Platform-specific codes are allowed
 * (`(string & {})`) but the shared ones carry the retry semantics the host relies on.
 */
export type AdapterErrorCode =
  | 'network' // connection refused/reset before the request was sent: safe to retry
  | 'timeout_ambiguous' // sent, no answer: the platform may have acted, never resend
  | 'rate_limited'
  | 'server_error'
  | 'auth_failed'
  | 'forbidden'
  | 'not_found'
  | 'bad_request'
  | 'formatting_rejected'
  | 'too_large'
  | 'unsupported'
  | 'config_invalid'
  | 'protocol'
  | 'not_connected' // send() before start() or after stop(), or while the connection is down
  | 'already_started' // start() called again without stop() in between
  | 'media_refused'
  | 'aborted'
  | 'unknown'
  | (string & {});

export interface AdapterErrorOptions {
  retryable?: boolean;
  retryAfterMs?: number;
  platform?: string;
  /** What the user can do about it, in plain words. */
  fix?: string;
  cause?: unknown;
}

const RETRYABLE_BY_DEFAULT: ReadonlySet<string> = new Set([
  'network',
  'rate_limited',
  'server_error',
  'not_connected',
]);

export class AdapterError extends Error {
  override readonly name = 'AdapterError';
  readonly code: AdapterErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly platform?: string;
  readonly fix?: string;

  constructor(code: AdapterErrorCode, message: string, options: AdapterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    // An ambiguous timeout is never retryable, whatever the caller asked: a resend could duplicate.
    this.retryable =
      code === 'timeout_ambiguous' ? false : (options.retryable ?? RETRYABLE_BY_DEFAULT.has(code));
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.platform !== undefined) this.platform = options.platform;
    if (options.fix !== undefined) this.fix = options.fix;
  }

  /** Message plus the fix, for operators. */
  describe(): string {
    const where = this.platform ? `[${this.platform}] ` : '';
    return this.fix
      ? `${where}${this.message} (${this.code}). Fix: ${this.fix}`
      : `${where}${this.message} (${this.code})`;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      platform: this.platform,
      fix: this.fix,
    };
  }
}

export function isAdapterError(value: unknown): value is AdapterError {
  return value instanceof AdapterError;
}

const NETWORK_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Wraps anything thrown into an AdapterError. Node socket errors that happen before a request is
 * written are `network` (retryable); timeouts are `timeout_ambiguous` because we cannot know whether
 * the platform acted.
 */
export function toAdapterError(value: unknown, platform?: string): AdapterError {
  if (value instanceof AdapterError) return value;
  const opts: AdapterErrorOptions = { cause: value };
  if (platform !== undefined) opts.platform = platform;
  if (value instanceof Error) {
    const errno = (value as NodeJS.ErrnoException).code;
    if (value.name === 'AbortError') return new AdapterError('aborted', value.message, opts);
    if (errno === 'ETIMEDOUT' || errno === 'ECONNABORTED' || value.name === 'TimeoutError') {
      return new AdapterError('timeout_ambiguous', value.message, opts);
    }
    if (errno && NETWORK_ERRNOS.has(errno))
      return new AdapterError('network', `${errno}: ${value.message}`, opts);
    return new AdapterError('unknown', value.message, opts);
  }
  return new AdapterError('unknown', String(value), opts);
}

/** Maps an HTTP status (and an optional Retry-After in seconds) to the shared error codes. */
export function adapterErrorFromHttpStatus(
  status: number,
  message: string,
  options: { retryAfterSeconds?: number; platform?: string } = {},
): AdapterError {
  const base: AdapterErrorOptions = {};
  if (options.platform !== undefined) base.platform = options.platform;
  if (options.retryAfterSeconds !== undefined)
    base.retryAfterMs = Math.ceil(options.retryAfterSeconds * 1000);
  if (status === 429) return new AdapterError('rate_limited', message, base);
  if (status === 401) return new AdapterError('auth_failed', message, base);
  if (status === 403) return new AdapterError('forbidden', message, base);
  if (status === 404) return new AdapterError('not_found', message, base);
  if (status === 413) return new AdapterError('too_large', message, base);
  if (status >= 500) return new AdapterError('server_error', message, base);
  return new AdapterError('bad_request', message, base);
}
