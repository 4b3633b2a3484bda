import { AdapterError } from './errors.js';

/**
 * The error every adapter's `start()` throws while it is already started (the conformance suite checks
 * the code). `adapterName` is the class the operator sees in the message, e.g. `TelegramAdapter`.
 */
export function alreadyStartedError(platform: string, adapterName: string): AdapterError {
  return new AdapterError('already_started', `${adapterName}.start() was called twice`, {
    platform,
    fix: 'Call stop() before starting the adapter again.',
  });
}

export interface NotConnectedOptions {
  /**
   * Whether the host may retry the call. Defaults to the code's default (retryable), which suits
   * adapters whose connection may come back on its own; a request/reply server that is simply not
   * listening says false.
   */
  retryable?: boolean;
}

/** The error for `what()` (e.g. `send`, `edit`) called before `start()` or after `stop()`. */
export function notConnectedError(
  platform: string,
  adapterName: string,
  what = 'send',
  options: NotConnectedOptions = {},
): AdapterError {
  return new AdapterError('not_connected', `${adapterName}.${what}() before start() or after stop()`, {
    platform,
    fix: 'Call start() first.',
    ...(options.retryable === undefined ? {} : { retryable: options.retryable }),
  });
}

/** The same as a failed SendResult, for members that report failures instead of throwing. */
export function notConnectedResult(
  platform: string,
  adapterName: string,
  what = 'send',
  options: NotConnectedOptions = {},
): { ok: false; error: AdapterError } {
  return { ok: false, error: notConnectedError(platform, adapterName, what, options) };
}
