import type { PostedText } from './send-text.js';

/** Messages with buttons remembered for settleActions; older ones settle without their text. */
const KEEP = 1_000;

/**
 * The text each keyboard message was posted with, so settling can put the outcome under the original
 * text in one edit (Telegram's answers give the text back only as plain text plus entities).
 */
export class KeyboardMessages {
  readonly #texts = new Map<string, PostedText>();

  remember(chatId: string, posted: PostedText): void {
    const key = `${chatId}:${posted.id}`;
    this.#texts.delete(key);
    this.#texts.set(key, posted);
    if (this.#texts.size > KEEP) {
      const oldest = this.#texts.keys().next().value;
      if (oldest !== undefined) this.#texts.delete(oldest);
    }
  }

  take(chatId: string, messageId: string): PostedText | undefined {
    const key = `${chatId}:${messageId}`;
    const found = this.#texts.get(key);
    this.#texts.delete(key);
    return found;
  }
}
