import { DedupeCache, type InboundAction, type Logger, toAdapterError } from '@hermes/adapter-core';
import type { TelegramBotApi } from '../api/bot-api.js';
import { TELEGRAM_DEDUPE_MAX_ENTRIES, TELEGRAM_DEDUPE_TTL_MS } from '../constants.js';

export interface TelegramPressHandlerOptions {
  api: TelegramBotApi;
  logger: Logger;
  /** The host's ctx.receiveAction, if it takes presses. */
  receiveAction: ((action: InboundAction) => void) | undefined;
  signal: AbortSignal;
}

/**
 * Answers a press and hands it over. Telegram keeps the button's spinner turning until
 * answerCallbackQuery, so the answer comes first and the host sees the press only after it was
 * acknowledged. A query id is handled once: a redelivered update (new update_id, same query) is dropped.
 */
export class TelegramPressHandler {
  readonly #o: TelegramPressHandlerOptions;
  readonly #seen = new DedupeCache({
    maxEntries: TELEGRAM_DEDUPE_MAX_ENTRIES,
    ttlMs: TELEGRAM_DEDUPE_TTL_MS,
  });
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: TelegramPressHandlerOptions) {
    this.#o = options;
  }

  /** Synchronous for the intake: the answer runs in the background; false for a duplicate. */
  handle(action: InboundAction): boolean {
    if (this.#seen.seen(action.id)) {
      this.#o.logger.debug('duplicate Telegram button press dropped', { callbackQueryId: action.id });
      return false;
    }
    const job = this.#answerThenHandOver(action);
    this.#inFlight.add(job);
    void job.finally(() => this.#inFlight.delete(job));
    return true;
  }

  /** Answers a press the host will not see (filtered), once per query id. */
  dismiss(callbackQueryId: string): void {
    if (this.#seen.seen(callbackQueryId)) return;
    const job = this.#answer(callbackQueryId).then(() => undefined);
    this.#inFlight.add(job);
    void job.finally(() => this.#inFlight.delete(job));
  }

  /** Waits for presses still being answered (on stop). */
  async settle(): Promise<void> {
    await Promise.all([...this.#inFlight]);
  }

  async #answer(callbackQueryId: string): Promise<boolean> {
    const { api, logger, signal } = this.#o;
    try {
      await api.call('answerCallbackQuery', { callback_query_id: callbackQueryId }, { signal });
      return true;
    } catch (error) {
      logger.warn('Telegram answerCallbackQuery failed', { error: toAdapterError(error).message });
      return false;
    }
  }

  async #answerThenHandOver(action: InboundAction): Promise<void> {
    const { logger, receiveAction } = this.#o;
    // A late answer fails ("query is too old"); the press itself is still real, so it goes on.
    await this.#answer(action.id);
    if (!receiveAction) {
      logger.warn('a Telegram button was pressed but the host takes no presses (receiveAction missing)', {
        actionId: action.actionId,
      });
      return;
    }
    try {
      receiveAction(action);
    } catch (error) {
      logger.error('the host refused a Telegram button press', {
        actionId: action.actionId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
