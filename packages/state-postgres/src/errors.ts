/** Every failure this package reports on purpose; `code` is what callers switch on. */
export type StatePostgresErrorCode =
  | 'migration_invalid'
  | 'migration_mismatch'
  | 'database_newer'
  | 'migration_failed'
  | 'lease_lost'
  | 'lease_invalid'
  | 'queue_invalid';

export class StatePostgresError extends Error {
  readonly code: StatePostgresErrorCode;
  /** What an operator can do about it. */
  readonly fix: string | undefined;

  constructor(
    code: StatePostgresErrorCode,
    message: string,
    options: { fix?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StatePostgresError';
    this.code = code;
    this.fix = options.fix;
  }
}

export function isStatePostgresError(
  error: unknown,
  code?: StatePostgresErrorCode,
): error is StatePostgresError {
  return error instanceof StatePostgresError && (code === undefined || error.code === code);
}
