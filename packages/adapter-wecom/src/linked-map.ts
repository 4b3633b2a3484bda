interface Node<V> {
  key: string;
  value: V;
  older: Node<V> | undefined;
  newer: Node<V> | undefined;
}

/**
 * A map in insertion order whose oldest entry is reached in O(1). A plain Map is not enough for a cache
 * that keeps deleting from its front: in V8, reaching the first live entry walks over every slot deleted
 * since the table was last rehashed, so each eviction cost up to the map's capacity (about 1,000 steps
 * for the reply-token cache, paid twice per message).
 */
export class LinkedMap<V> {
  readonly #index = new Map<string, Node<V>>();
  #oldest: Node<V> | undefined;
  #newest: Node<V> | undefined;

  get size(): number {
    return this.#index.size;
  }

  get(key: string): V | undefined {
    return this.#index.get(key)?.value;
  }

  has(key: string): boolean {
    return this.#index.has(key);
  }

  /** Adds the entry as the newest; an existing key moves to the newest end with its new value. */
  set(key: string, value: V): void {
    let node = this.#index.get(key);
    if (node) {
      this.#unlink(node);
      node.value = value;
    } else {
      node = { key, value, older: undefined, newer: undefined };
      this.#index.set(key, node);
    }
    node.older = this.#newest;
    if (this.#newest) this.#newest.newer = node;
    else this.#oldest = node;
    this.#newest = node;
  }

  delete(key: string): boolean {
    const node = this.#index.get(key);
    if (!node) return false;
    this.#unlink(node);
    this.#index.delete(key);
    return true;
  }

  /** The oldest value, without removing it. */
  peekOldest(): V | undefined {
    return this.#oldest?.value;
  }

  /** Removes and returns the oldest value. */
  shiftOldest(): V | undefined {
    const node = this.#oldest;
    if (!node) return undefined;
    this.#unlink(node);
    this.#index.delete(node.key);
    return node.value;
  }

  clear(): void {
    this.#index.clear();
    this.#oldest = undefined;
    this.#newest = undefined;
  }

  #unlink(node: Node<V>): void {
    if (node.older) node.older.newer = node.newer;
    else this.#oldest = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.#newest = node.older;
    node.older = undefined;
    node.newer = undefined;
  }
}
