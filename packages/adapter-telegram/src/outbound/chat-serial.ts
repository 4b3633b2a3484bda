/**
 * Runs the sends of one chat one after another, so the chunks of a long reply are never interleaved with
 * another message to the same chat. The pacer below keeps the per-call rate; this keeps whole messages
 * together.
 */
export class ChatSerializer {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }
}
