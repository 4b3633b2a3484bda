import { RecentMap } from '@hermes/adapter-core';
import type { PostedText } from './send-text.js';

/** Messages with buttons remembered for settleActions; older ones settle without their text. */
const KEEP = 1_000;

/**
 * The text each keyboard message was posted with, so settling can put the outcome under the original
 * text in one edit (Telegram's answers give the text back only as plain text plus entities).
 */
export class KeyboardMessages {
  readonly #texts = new RecentMap<PostedText>(KEEP);

  remember(chatId: string, posted: PostedText): void {
    this.#texts.set(`${chatId}:${posted.id}`, posted);
  }

  take(chatId: string, messageId: string): PostedText | undefined {
    return this.#texts.take(`${chatId}:${messageId}`);
  }
}
