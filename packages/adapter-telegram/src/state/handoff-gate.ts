/**
 * For a connection another replica may take over (`AdapterContext.connectionHandoff`): the held updates
 * (a text batch waiting for its delay) live only in this process and its local state file, so the offset
 * confirmed to Telegram must stop before the oldest of them; a new owner then fetches them again. The next
 * getUpdates waits a little (bounded) for the held ones to be handed over, so it does not fetch the same
 * updates again in a tight loop meanwhile.
 */
export class TelegramHandoffGate {
  #waiters: Array<() => void> = [];

  constructor(
    private readonly heldIds: () => number[],
    /** Longest wait for held updates to be handed over before polling anyway. */
    private readonly maxWaitMs: number,
  ) {}

  /** The offset to send: `offset`, or the oldest held update's id when that is lower. */
  confirmable(offset: number): number {
    let confirm = offset;
    for (const id of this.heldIds()) if (id < confirm) confirm = id;
    return confirm;
  }

  /** Called whenever the held list changed. */
  changed(): void {
    if (this.heldIds().length > 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once nothing is held, or after the bound. */
  async drained(): Promise<void> {
    if (this.heldIds().length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.#waiters.push(resolve);
      timer = setTimeout(resolve, this.maxWaitMs);
    });
    clearTimeout(timer);
  }
}
