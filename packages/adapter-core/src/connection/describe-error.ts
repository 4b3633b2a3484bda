import { isAdapterError } from '../errors.js';

/** One line for logs and status details; AdapterErrors carry their code. */
export function describeError(error: unknown): string {
  if (isAdapterError(error)) return `${error.message} (${error.code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}
