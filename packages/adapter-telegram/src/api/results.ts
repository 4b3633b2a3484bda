import type { Logger } from '@hermes/adapter-core';

/** The bot as getMe describes it; mentions are matched against `username`. */
export interface TelegramBotIdentity {
  id: number;
  username: string;
  firstName: string;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Reads getMe's answer; undefined when it is not a bot user. */
export function identityOf(result: unknown): TelegramBotIdentity | undefined {
  const me = record(result);
  if (!me || typeof me['id'] !== 'number' || typeof me['username'] !== 'string') return undefined;
  return {
    id: me['id'],
    username: me['username'],
    firstName: typeof me['first_name'] === 'string' ? me['first_name'] : me['username'],
  };
}

/**
 * The id of a message Telegram accepted. The call succeeded, so a malformed answer must not turn into an
 * error (the caller would resend): it is logged and a placeholder id stands in.
 */
export function sentMessageId(result: unknown, method: string, logger: Logger): string {
  const id = record(result)?.['message_id'];
  if (typeof id === 'number' || typeof id === 'string') return String(id);
  logger.warn(`Telegram ${method} succeeded but its answer has no message_id`, { method });
  return `unknown-${Date.now()}`;
}

/** getFile's answer: the path to download and the size Telegram reports. */
export function fileInfoOf(result: unknown): { path: string; size?: number } | undefined {
  const file = record(result);
  const path = file?.['file_path'];
  if (typeof path !== 'string' || path.length === 0) return undefined;
  const size = file?.['file_size'];
  return typeof size === 'number' ? { path, size } : { path };
}
