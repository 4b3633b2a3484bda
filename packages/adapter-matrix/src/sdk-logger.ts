import type { Logger } from '@hermes/adapter-core';
import type { ICreateClientOpts } from 'matrix-js-sdk';
import { logger as sdkRootLogger } from 'matrix-js-sdk/lib/logger.js';

type SdkLogger = NonNullable<ICreateClientOpts['logger']>;

/**
 * matrix-js-sdk logs every request and sync step; its lines go to the host logger at debug level only
 * (warnings stay debug too: the adapter reports what matters itself, and SDK lines can carry room data).
 */
export function quietSdkLogger(logger: Logger, namespace = 'matrix-js-sdk'): SdkLogger {
  const line =
    (level: string) =>
    (...args: unknown[]) => {
      logger.debug(`${namespace} ${level}`, {
        platform: 'matrix',
        message: args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : '')).join(' '),
      });
    };
  return {
    trace: line('trace'),
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    getChild: (child: string) => quietSdkLogger(logger, `${namespace}.${child}`),
  } as SdkLogger;
}

let rootQuieted = false;

type MethodFactory = (method: string, level: number, name: string | symbol) => (...args: unknown[]) => void;

/**
 * A few SDK parts (MatrixRTC, call handling) log through the SDK's process-wide root logger straight to
 * the console at debug level, undecryptable events as warnings. The first client swaps its method
 * factory (children made later copy it) for one that keeps only errors, so a bot's stdout stays its own;
 * the adapter logs what matters (undecryptable messages included) through the host logger itself.
 */
export function quietSdkRootLogger(): void {
  if (rootQuieted) return;
  rootQuieted = true;
  const root = sdkRootLogger as unknown as { methodFactory?: MethodFactory; rebuild?(): void };
  const original = root.methodFactory;
  if (original === undefined || root.rebuild === undefined) return;
  root.methodFactory = (method, level, name) =>
    method === 'error' ? original(method, level, name) : () => {};
  root.rebuild();
}
