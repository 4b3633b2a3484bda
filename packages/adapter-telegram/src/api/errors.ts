import { AdapterError, type AdapterErrorOptions } from '@hermes/adapter-core';
import { TelegramError } from 'telegraf';
import { TELEGRAM_PLATFORM } from '../constants.js';

/**
 * What a failed call means for a retry. `once` calls create something visible (a message, an upload):
 * when we cannot tell whether Telegram acted, they are never repeated, so no chunk is ever posted twice.
 */
export type TelegramCallEffect = 'idempotent' | 'once';

export interface TelegramFailureContext {
  method: string;
  effect: TelegramCallEffect;
  /** Our own deadline fired. */
  timedOut: boolean;
  /** The adapter is stopping. */
  stopped: boolean;
}

/** Connect-phase errnos: the request never reached Telegram, so any call may be repeated. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

const TOKEN_FIX = 'check TELEGRAM_BOT_TOKEN: ask @BotFather for the token of your bot (/token)';

function opts(extra: AdapterErrorOptions, cause: unknown): AdapterErrorOptions {
  return { platform: TELEGRAM_PLATFORM, cause, ...extra };
}

/** An answer of the Bot API with `ok: false` (or a bare 5xx). */
function fromApiAnswer(error: TelegramError, ctx: TelegramFailureContext): AdapterError {
  const status = error.code;
  const description = String(error.description ?? 'no description');
  const what = `Telegram ${ctx.method} failed: ${status} ${description}`;
  const retryAfter = error.parameters?.retry_after;
  if (status === 429 || typeof retryAfter === 'number') {
    const seconds = typeof retryAfter === 'number' && retryAfter >= 0 ? retryAfter : 1;
    return new AdapterError('rate_limited', what, opts({ retryAfterMs: seconds * 1000 }, error));
  }
  if (status === 400 && /can't parse entities|can't find end of the entity/i.test(description)) {
    return new AdapterError('formatting_rejected', what, opts({ retryable: false }, error));
  }
  if (status === 400 && /message is not modified/i.test(description)) {
    return new AdapterError('not_modified', what, opts({ retryable: false }, error));
  }
  if (status === 400 && /thread not found|topic_deleted|TOPIC_CLOSED/i.test(description)) {
    return new AdapterError('thread_not_found', what, opts({ retryable: false }, error));
  }
  if (status === 400 && /not found/i.test(description)) {
    return new AdapterError('not_found', what, opts({}, error));
  }
  if (status === 400 && /too long|too big|TOO_LONG/i.test(description)) {
    return new AdapterError('too_large', what, opts({}, error));
  }
  if (status === 401) return new AdapterError('auth_failed', what, opts({ fix: TOKEN_FIX }, error));
  if (status === 403) {
    return new AdapterError(
      'forbidden',
      what,
      opts(
        { fix: 'the user blocked the bot, or the bot is not a member of that chat (add it again)' },
        error,
      ),
    );
  }
  // The Bot API answers 404 for a token it cannot even parse.
  if (status === 404) return new AdapterError('not_found', what, opts({ fix: TOKEN_FIX }, error));
  if (status === 409) {
    return new AdapterError(
      'conflict',
      what,
      opts(
        {
          retryable: true,
          fix: 'another process polls this bot, or a webhook is set: run one instance, or use webhook mode everywhere',
        },
        error,
      ),
    );
  }
  if (status === 413) return new AdapterError('too_large', what, opts({}, error));
  if (status >= 500) {
    // A gateway in front of Telegram timing out says nothing about whether the message went out.
    if (ctx.effect === 'once' && (status === 502 || status === 504)) {
      return new AdapterError('timeout_ambiguous', what, opts({}, error));
    }
    return new AdapterError('server_error', what, opts({}, error));
  }
  return new AdapterError('bad_request', what, opts({}, error));
}

interface FetchLikeError {
  name: string;
  message: string;
  type?: string;
  code?: string;
  errno?: string;
}

function asFetchError(error: unknown): FetchLikeError | undefined {
  if (!(error instanceof Error)) return undefined;
  return error as FetchLikeError;
}

/** node-fetch says "request to <url> failed, reason: <why>": keep only the why, the URL holds the token. */
function reasonOf(message: string | undefined): string {
  const at = message?.lastIndexOf('reason: ') ?? -1;
  return message !== undefined && at >= 0 ? message.slice(at + 8) : 'connection error';
}

/**
 * Maps anything a telegraf call threw to an AdapterError with the right retry semantics. Messages never
 * carry the request URL (it contains the token): only the method and what went wrong.
 */
export function telegramErrorFrom(error: unknown, ctx: TelegramFailureContext): AdapterError {
  if (error instanceof AdapterError) return error;
  if (ctx.stopped) {
    return new AdapterError(
      'aborted',
      `Telegram ${ctx.method} cancelled: the adapter is stopping`,
      opts({}, error),
    );
  }
  if (error instanceof TelegramError) return fromApiAnswer(error, ctx);
  const ambiguous = ctx.effect === 'once';
  if (ctx.timedOut) {
    return new AdapterError(
      ambiguous ? 'timeout_ambiguous' : 'network',
      `Telegram ${ctx.method} got no answer in time`,
      opts({ retryable: !ambiguous }, error),
    );
  }
  const e = asFetchError(error);
  const errno = e?.code ?? e?.errno;
  if (errno !== undefined && NEVER_SENT.has(errno)) {
    return new AdapterError(
      'network',
      `Telegram ${ctx.method}: cannot reach the Bot API (${errno})`,
      opts({}, error),
    );
  }
  if (e?.type === 'invalid-json') {
    return new AdapterError(
      ambiguous ? 'timeout_ambiguous' : 'protocol',
      `Telegram ${ctx.method}: the Bot API answered with something that is not JSON`,
      opts({ retryable: !ambiguous }, error),
    );
  }
  // Reset, hang-up, broken pipe: the request may have been read and acted on before the cut.
  const detail = errno ?? reasonOf(e?.message);
  return new AdapterError(
    ambiguous ? 'timeout_ambiguous' : 'network',
    `Telegram ${ctx.method}: connection lost before the answer (${detail})`,
    opts({ retryable: !ambiguous }, error),
  );
}
