type Handle = ReturnType<typeof setTimeout>;

/**
 * Every timer a component owns, so that shutting it down can clear all of them at once and a test can
 * check that none is left. Handles remove themselves once they fire.
 */
export class TimerBag {
  readonly #handles = new Set<Handle>();

  set(fn: () => void, ms: number): Handle {
    const handle = setTimeout(() => {
      this.#handles.delete(handle);
      fn();
    }, ms);
    this.#handles.add(handle);
    return handle;
  }

  clear(handle: Handle | undefined): void {
    if (handle === undefined) return;
    clearTimeout(handle);
    this.#handles.delete(handle);
  }

  clearAll(): void {
    for (const handle of this.#handles) clearTimeout(handle);
    this.#handles.clear();
  }

  get size(): number {
    return this.#handles.size;
  }
}
