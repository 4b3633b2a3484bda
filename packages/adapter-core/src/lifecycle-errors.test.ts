import { describe, expect, it } from 'vitest';
import { alreadyStartedError, notConnectedError, notConnectedResult } from './lifecycle-errors.js';

describe('lifecycle errors', () => {
  it('already_started names the adapter, the platform and the fix, and is not retryable', () => {
    const error = alreadyStartedError('telegram', 'TelegramAdapter');
    expect(error).toMatchObject({
      code: 'already_started',
      platform: 'telegram',
      retryable: false,
      message: 'TelegramAdapter.start() was called twice',
      fix: 'Call stop() before starting the adapter again.',
    });
  });

  it('not_connected names the member that was called and keeps the default retry unless told', () => {
    const error = notConnectedError('slack', 'SlackAdapter', 'edit');
    expect(error).toMatchObject({
      code: 'not_connected',
      platform: 'slack',
      retryable: true,
      message: 'SlackAdapter.edit() before start() or after stop()',
      fix: 'Call start() first.',
    });
    expect(notConnectedError('webhook', 'WebhookAdapter', 'send', { retryable: false }).retryable).toBe(
      false,
    );
  });

  it('the result form is a failed SendResult carrying the same error', () => {
    const result = notConnectedResult('sms', 'SmsAdapter');
    expect(result.ok).toBe(false);
    expect(result.error).toMatchObject({
      code: 'not_connected',
      message: 'SmsAdapter.send() before start() or after stop()',
    });
  });
});
