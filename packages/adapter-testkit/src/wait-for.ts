export interface WaitForOptions {
  /** Upper bound for the whole wait. Default 5000 ms. */
  timeoutMs?: number;
  /** Poll interval. Default 20 ms. */
  intervalMs?: number;
  /** Named in the timeout error, e.g. "the DM to reach ctx.receive". */
  what?: string;
}

export const DEFAULT_WAIT_MS = 5_000;

/**
 * Polls `check` until it returns something other than `undefined`/`false`, and resolves with it.
 * A check that throws counts as "not yet": the last error is quoted in the timeout message, so an
 * `expect(...)` inside the check explains what never became true.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const what = options.what ?? 'the condition';
      const why = lastError === undefined ? '' : `; last check failed with: ${describeError(lastError)}`;
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/** Rejects with a message naming `what` when the promise does not settle within `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n').slice(0, 6).join('\n');
  return String(error);
}
