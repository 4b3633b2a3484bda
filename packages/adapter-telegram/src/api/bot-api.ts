import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { AdapterError } from '@hermes/adapter-core';
import { Telegram } from 'telegraf';
import { TELEGRAM_PLATFORM, TELEGRAM_REQUEST_TIMEOUT_MS } from '../constants.js';
import { type TelegramCallEffect, telegramErrorFrom } from './errors.js';

export interface TelegramBotApiOptions {
  token: string;
  apiRoot: string;
  /** Default deadline of one call. */
  requestTimeoutMs?: number;
}

export interface TelegramCallOptions {
  /** Default `idempotent`. Use `once` for calls that post something: they are never repeated after an ambiguous failure. */
  effect?: TelegramCallEffect;
  timeoutMs?: number;
  /** Cancels the call (the adapter is stopping). */
  signal?: AbortSignal;
}

/** A value or file part of a Bot API call; telegraf switches to multipart when a `{ source }` is present. */
export type TelegramPayload = Record<string, unknown>;

type RawCall = (method: string, payload: TelegramPayload, options: { signal?: unknown }) => Promise<unknown>;

/**
 * The Bot API through telegraf's client, with what telegraf leaves out: a deadline per call, cancellation,
 * errors mapped to AdapterError with honest retry semantics, and a private keep-alive agent that `close()`
 * tears down so no socket outlives the adapter. telegraf itself never retries a call, so nothing here
 * can post twice behind our back.
 */
export class TelegramBotApi {
  readonly telegram: Telegram;
  readonly apiRoot: string;
  readonly #token: string;
  readonly #agent: HttpAgent;
  readonly #timeoutMs: number;
  #closed = false;
  /** Calls in flight, aborted by close(). */
  readonly #inFlight = new Set<AbortController>();

  constructor(options: TelegramBotApiOptions) {
    this.#token = options.token;
    this.apiRoot = options.apiRoot.replace(/\/+$/, '');
    this.#timeoutMs = options.requestTimeoutMs ?? TELEGRAM_REQUEST_TIMEOUT_MS;
    const https = this.apiRoot.startsWith('https:');
    this.#agent = https
      ? new HttpsAgent({ keepAlive: true, keepAliveMsecs: 10_000 })
      : new HttpAgent({ keepAlive: true, keepAliveMsecs: 10_000 });
    this.telegram = new Telegram(options.token, { apiRoot: this.apiRoot, webhookReply: false });
    // telegraf drops its agent for http:// roots (falling back to Node's global one); ours is closable.
    this.telegram.options.agent = this.#agent;
  }

  /** Calls `method`; resolves with its `result` or rejects with an AdapterError. */
  async call(method: string, payload: TelegramPayload, options: TelegramCallOptions = {}): Promise<unknown> {
    if (this.#closed) {
      throw new AdapterError('aborted', `Telegram ${method} not sent: the client is closed`, {
        platform: TELEGRAM_PLATFORM,
      });
    }
    // One controller and one timer per call: AbortSignal.timeout + AbortSignal.any cost more than the
    // rest of our per-call work together (the combined signal registers on every source and is only
    // released by GC), and a long-lived adapter makes thousands of calls.
    const controller = new AbortController();
    const caller = options.signal;
    const onCallerAbort = () => controller.abort(caller?.reason);
    if (caller) {
      if (caller.aborted) controller.abort(caller.reason);
      else caller.addEventListener('abort', onCallerAbort, { once: true });
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`Telegram ${method} timed out`));
    }, options.timeoutMs ?? this.#timeoutMs);
    // Like AbortSignal.timeout: the deadline alone never keeps the process alive.
    timer.unref();
    this.#inFlight.add(controller);
    try {
      // A method call rather than a bound copy per call: telegraf's public type leaves the signal out.
      return await (this.telegram as unknown as { callApi: RawCall }).callApi(method, payload, {
        signal: controller.signal,
      });
    } catch (error) {
      const stopped = this.#closed || caller?.aborted === true;
      throw telegramErrorFrom(error, {
        method,
        effect: options.effect ?? 'idempotent',
        timedOut: !stopped && timedOut,
        stopped,
      });
    } finally {
      clearTimeout(timer);
      this.#inFlight.delete(controller);
      caller?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** Download URL of a file from getFile. It contains the token: never log it. */
  fileUrl(filePath: string): string {
    const clean = filePath.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/');
    return `${this.apiRoot}/file/bot${this.#token}/${clean}`;
  }

  /** Cancels calls in flight and closes every socket. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const controller of this.#inFlight) controller.abort(new Error('the Telegram client is closed'));
    this.#inFlight.clear();
    this.#agent.destroy();
  }
}
