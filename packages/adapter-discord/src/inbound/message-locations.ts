/**
 * The channel each recent inbound message lives in. A message that opened an auto-thread stays in the
 * parent channel while its conversation (chat.threadId) moves into the thread, so react() and replyTo
 * must look the message's real channel up instead of guessing it from the ChatRef.
 */
export class DiscordMessageLocations {
  readonly #channels = new Map<string, string>();

  constructor(private readonly max = 2000) {}

  set(messageId: string, channelId: string): void {
    this.#channels.delete(messageId);
    this.#channels.set(messageId, channelId);
    if (this.#channels.size > this.max) {
      const oldest = this.#channels.keys().next().value;
      if (oldest !== undefined) this.#channels.delete(oldest);
    }
  }

  get(messageId: string): string | undefined {
    return this.#channels.get(messageId);
  }
}
