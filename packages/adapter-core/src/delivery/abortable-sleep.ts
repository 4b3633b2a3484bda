import { AdapterError } from '../errors.js';

export function abortError(signal: AbortSignal, what: string): AdapterError {
  const reason: unknown = signal.reason;
  if (reason instanceof AdapterError && reason.code === 'aborted') return reason;
  return new AdapterError('aborted', `${what} was aborted`, { cause: reason });
}

/** Waits `ms`, or rejects with an AdapterError 'aborted' as soon as the signal fires; never leaves a timer behind. */
export function abortableSleep(ms: number, signal?: AbortSignal, what = 'wait'): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal, what));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal, what));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
