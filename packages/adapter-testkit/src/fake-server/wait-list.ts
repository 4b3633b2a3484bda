interface Waiter<T> {
  match: (item: T) => boolean;
  resolve: (item: T) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Waits on a growing list of recorded items (requests, frames). Items already recorded count, so a
 * test never misses something that arrived before it started waiting. Every wait is bounded.
 */
export interface WaitList<T> {
  wait(match: (item: T) => boolean, timeoutMs: number, timeoutMessage: () => string): Promise<T>;
  /** Call after appending an item to the list. */
  offer(item: T): void;
  rejectAll(reason: string): void;
}

export function createWaitList<T>(items: readonly T[]): WaitList<T> {
  const waiters = new Set<Waiter<T>>();
  return {
    wait(unsafeMatch, timeoutMs, timeoutMessage) {
      // A matcher that throws (say, json() on a non-JSON body) just does not match.
      const match = (item: T) => {
        try {
          return unsafeMatch(item);
        } catch {
          return false;
        }
      };
      const found = items.find(match);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise<T>((resolve, reject) => {
        const waiter: Waiter<T> = {
          match,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(timeoutMessage()));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    offer(item) {
      for (const waiter of waiters) {
        if (!waiter.match(item)) continue;
        clearTimeout(waiter.timer);
        waiters.delete(waiter);
        waiter.resolve(item);
      }
    },
    rejectAll(reason) {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(reason));
      }
      waiters.clear();
    },
  };
}
