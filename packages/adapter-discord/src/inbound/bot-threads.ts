/**
 * Threads the bot opened or spoke in, most recent last, capped like Hermes' participation tracker. A
 * thread owned by the bot is recognised from Discord's own data as well (ownerId), which survives a
 * restart; this set covers threads of other people the bot was asked into.
 */
export class DiscordBotThreads {
  readonly #ids = new Map<string, true>();

  constructor(private readonly max: number) {}

  remember(threadId: string): void {
    this.#ids.delete(threadId);
    this.#ids.set(threadId, true);
    while (this.#ids.size > this.max) {
      const oldest = this.#ids.keys().next().value;
      if (oldest === undefined) break;
      this.#ids.delete(oldest);
    }
  }

  has(threadId: string): boolean {
    return this.#ids.has(threadId);
  }

  get size(): number {
    return this.#ids.size;
  }

  export(): string[] {
    return [...this.#ids.keys()];
  }

  import(ids: Iterable<string>): void {
    for (const id of ids) this.remember(id);
  }
}
