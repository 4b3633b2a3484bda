import { TelegramError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { telegramErrorFrom } from './errors.js';

const ctx = { method: 'sendMessage', effect: 'once' as const, timedOut: false, stopped: false };

function apiError(error_code: number, description: string, parameters?: { retry_after?: number }) {
  return new TelegramError({
    ok: false,
    error_code,
    description,
    ...(parameters ? { parameters } : {}),
  } as never);
}

function fetchError(type: string, code?: string) {
  return Object.assign(
    new Error(`request to http://x/bot1:SECRET/sendMessage failed, reason: socket hang up`),
    {
      name: 'FetchError',
      type,
      ...(code ? { code, errno: code } : {}),
    },
  );
}

describe('telegramErrorFrom', () => {
  it('maps Bot API answers', () => {
    expect(
      telegramErrorFrom(apiError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }), ctx),
    ).toMatchObject({ code: 'rate_limited', retryAfterMs: 7000, retryable: true });
    expect(telegramErrorFrom(apiError(400, "Bad Request: can't parse entities: x"), ctx)).toMatchObject({
      code: 'formatting_rejected',
      retryable: false,
    });
    expect(telegramErrorFrom(apiError(400, 'Bad Request: message is not modified'), ctx).code).toBe(
      'not_modified',
    );
    expect(telegramErrorFrom(apiError(400, 'Bad Request: message thread not found'), ctx).code).toBe(
      'thread_not_found',
    );
    expect(telegramErrorFrom(apiError(401, 'Unauthorized'), ctx)).toMatchObject({
      code: 'auth_failed',
      fix: expect.stringMatching(/BotFather/),
    });
    expect(telegramErrorFrom(apiError(403, 'Forbidden: bot was blocked by the user'), ctx).code).toBe(
      'forbidden',
    );
    expect(
      telegramErrorFrom(apiError(409, 'Conflict: terminated by other getUpdates request'), ctx),
    ).toMatchObject({ code: 'conflict', retryable: true });
    expect(telegramErrorFrom(apiError(500, 'Internal Server Error'), ctx)).toMatchObject({
      code: 'server_error',
      retryable: true,
    });
    expect(telegramErrorFrom(apiError(504, 'Gateway Timeout'), ctx)).toMatchObject({
      code: 'timeout_ambiguous',
      retryable: false,
    });
  });

  it('never resends a posting call that may have gone through, but retries reads', () => {
    expect(telegramErrorFrom(fetchError('system', 'ECONNRESET'), ctx)).toMatchObject({
      code: 'timeout_ambiguous',
      retryable: false,
    });
    expect(
      telegramErrorFrom(fetchError('system', 'ECONNRESET'), { ...ctx, effect: 'idempotent' }),
    ).toMatchObject({ code: 'network', retryable: true });
    expect(telegramErrorFrom(fetchError('system', 'ECONNREFUSED'), ctx)).toMatchObject({
      code: 'network',
      retryable: true,
    });
    expect(telegramErrorFrom(fetchError('invalid-json'), ctx).code).toBe('timeout_ambiguous');
    expect(telegramErrorFrom(new Error('aborted'), { ...ctx, timedOut: true }).code).toBe(
      'timeout_ambiguous',
    );
    expect(telegramErrorFrom(new Error('aborted'), { ...ctx, stopped: true }).code).toBe('aborted');
  });

  it('keeps the URL (and its token) out of the message', () => {
    expect(telegramErrorFrom(fetchError('system'), ctx).message).not.toContain('SECRET');
  });
});
