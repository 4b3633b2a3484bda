import { AdapterError, type AdapterErrorOptions, toAdapterError } from '@hermes/adapter-core';
import { DISCORD_PLATFORM } from './constants.js';

/** JSON error codes Discord answers with that need a specific fix. */
const DISCORD_CODE_FIX: ReadonlyMap<number, { code: string; fix: string }> = new Map([
  [10003, { code: 'not_found', fix: 'the channel id is wrong or the bot cannot see that channel' }],
  [10008, { code: 'not_found', fix: 'the message was deleted or belongs to another channel' }],
  [50001, { code: 'forbidden', fix: 'give the bot the "View Channel" permission in that channel' }],
  [
    50007,
    {
      code: 'forbidden',
      fix: 'the user does not accept DMs from this bot (privacy settings or no shared server)',
    },
  ],
  [
    50013,
    {
      code: 'forbidden',
      fix: 'give the bot the missing permission (Send Messages, Send Messages in Threads, Create Public Threads, Add Reactions or Attach Files)',
    },
  ],
  [40005, { code: 'too_large', fix: 'send a smaller file or raise the server upload limit (boosts)' }],
  [50035, { code: 'bad_request', fix: 'the message payload was refused; see the message for the field' }],
]);

interface HttpLikeError {
  name: string;
  message: string;
  status?: number;
  code?: number | string;
  retryAfter?: number;
}

function hasStatus(error: unknown): error is HttpLikeError & { status: number } {
  return error instanceof Error && typeof (error as HttpLikeError).status === 'number';
}

/** Errors undici raises when the socket died after the request may have been written. */
const AMBIGUOUS_SOCKET_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Maps what discord.js's REST client throws to the shared codes. `stopping` says whether our own abort
 * signal fired: an abort we asked for is `aborted`; any other abort is discord.js's request timeout,
 * which is ambiguous (Discord may have acted) and must never lead to a resend.
 */
export function toDiscordError(error: unknown, what: string, stopping = false): AdapterError {
  if (error instanceof AdapterError) return error;
  const base: AdapterErrorOptions = { platform: DISCORD_PLATFORM, cause: error };
  if (!(error instanceof Error)) return new AdapterError('unknown', `${what}: ${String(error)}`, base);
  const e = error as HttpLikeError;
  if (e.name === 'RateLimitError' || e.name.startsWith('RateLimitError')) {
    return new AdapterError(
      'rate_limited',
      `${what}: Discord asked to wait ${Math.ceil((e.retryAfter ?? 0) / 1000)} s`,
      {
        ...base,
        retryAfterMs: e.retryAfter ?? 1000,
      },
    );
  }
  if (hasStatus(error)) return fromHttp(error, what, base);
  if (e.name === 'AbortError' || e.code === 'UND_ERR_ABORTED') {
    return stopping
      ? new AdapterError('aborted', `${what}: cancelled because the adapter is stopping`, base)
      : new AdapterError(
          'timeout_ambiguous',
          `${what}: no answer from Discord in time; it may or may not have acted`,
          base,
        );
  }
  const errno = typeof e.code === 'string' ? e.code : undefined;
  if (errno && TIMEOUT_CODES.has(errno)) {
    return new AdapterError(
      'timeout_ambiguous',
      `${what}: ${errno}; Discord may or may not have acted`,
      base,
    );
  }
  if (errno && AMBIGUOUS_SOCKET_CODES.has(errno)) {
    // Discord de-duplicates message creates by nonce (enforce_nonce), so a resend of those is safe; the
    // caller decides per request whether the retry is idempotent.
    return new AdapterError('network', `${what}: connection lost (${errno})`, { ...base, retryable: false });
  }
  const wrapped = toAdapterError(error, DISCORD_PLATFORM);
  return new AdapterError(wrapped.code, `${what}: ${wrapped.message}`, {
    ...base,
    retryable: wrapped.retryable,
  });
}

function fromHttp(
  error: HttpLikeError & { status: number },
  what: string,
  base: AdapterErrorOptions,
): AdapterError {
  const discordCode = typeof error.code === 'number' ? error.code : undefined;
  const known = discordCode === undefined ? undefined : DISCORD_CODE_FIX.get(discordCode);
  const message = `${what}: HTTP ${error.status}${discordCode ? ` (Discord code ${discordCode})` : ''}: ${error.message}`;
  if (error.status === 401) {
    return new AdapterError('auth_failed', message, {
      ...base,
      fix: 'DISCORD_BOT_TOKEN was refused: reset the token in the Developer Portal and set it again',
    });
  }
  if (known) return new AdapterError(known.code, message, { ...base, fix: known.fix });
  if (error.status === 403) return new AdapterError('forbidden', message, base);
  if (error.status === 404) return new AdapterError('not_found', message, base);
  if (error.status === 413) return new AdapterError('too_large', message, base);
  if (error.status === 429) return new AdapterError('rate_limited', message, { ...base, retryAfterMs: 1000 });
  if (error.status >= 500) return new AdapterError('server_error', message, base);
  return new AdapterError('bad_request', message, base);
}

/**
 * Whether a failed call may be repeated. Message creates carry a nonce with enforce_nonce, so Discord
 * returns the first message instead of posting a second one: a lost connection or a 5xx can be retried.
 * Timeouts never are (AdapterError makes them non-retryable whatever we say).
 */
export function isSafeToRetry(error: AdapterError, idempotent: boolean): boolean {
  if (error.code === 'network') {
    const cause = error.cause as { code?: unknown } | undefined;
    const refused = cause?.code === 'ECONNREFUSED';
    return refused || idempotent;
  }
  if (error.code === 'server_error') return idempotent;
  return false;
}
