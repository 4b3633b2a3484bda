import { type Logger, RecentMap, toAdapterError } from '@hermes/adapter-core';
import type { FeishuRestClient } from './rest-client.js';

/**
 * Feishu has no typing indicator. As the Python adapter does, a "Typing" reaction on the user's latest
 * message shows the bot is working; the bot's next message in that chat takes it away again.
 */
export class FeishuTypingReactions {
  readonly #rest: FeishuRestClient;
  readonly #logger: Logger;
  /** The latest user message of each chat: the reaction goes on it. */
  readonly #latest = new RecentMap<string>(4096);
  readonly #shown = new RecentMap<{ messageId: string; reactionId: Promise<string | undefined> }>(1024);

  constructor(rest: FeishuRestClient, logger: Logger) {
    this.#rest = rest;
    this.#logger = logger;
  }

  noteInbound(chatId: string, messageId: string): void {
    this.#latest.set(chatId, messageId);
  }

  /** Called every few seconds by the host while it works: one reaction per message is enough. */
  async show(chatId: string): Promise<void> {
    const messageId = this.#latest.get(chatId);
    if (!messageId || this.#shown.get(chatId)?.messageId === messageId) return;
    const reactionId = this.#rest.addReaction(messageId, 'Typing').catch((error: unknown) => {
      this.#logger.debug('Feishu Typing reaction failed', { error: toAdapterError(error).message });
      return undefined;
    });
    this.#shown.set(chatId, { messageId, reactionId });
    await reactionId;
  }

  /** The bot answered in the chat: the reaction goes. Never throws. */
  clear(chatId: string): void {
    const shown = this.#shown.take(chatId);
    if (!shown) return;
    void shown.reactionId.then(async (reactionId) => {
      if (!reactionId) return;
      await this.#rest.deleteReaction(shown.messageId, reactionId).catch((error: unknown) => {
        this.#logger.debug('could not remove the Feishu Typing reaction', {
          error: toAdapterError(error).message,
        });
      });
    });
  }
}
