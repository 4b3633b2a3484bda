import type { Server } from 'node:http';
import { AdapterError } from '../errors.js';

export interface ListenOptions {
  platform: string;
  /** The env vars that set the host and port, named in the fix so operators know what to change. */
  hostEnv: string;
  portEnv: string;
}

/** Resolves once listening; turns bind failures into AdapterErrors that say what to change. */
export function listenOn(server: Server, host: string, port: number, o: ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const inUse = error.code === 'EADDRINUSE';
      reject(
        new AdapterError(
          inUse ? 'address_in_use' : 'config_invalid',
          `cannot listen on ${host}:${port}: ${error.message}`,
          {
            platform: o.platform,
            retryable: inUse,
            cause: error,
            fix: inUse
              ? `Stop the other process on that port (perhaps a running gateway) or set ${o.portEnv}.`
              : `Check ${o.hostEnv} (an address of this machine) and ${o.portEnv} (above 1023 unless root).`,
          },
        ),
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Starts serving for an adapter: listens (a bind failure is reported as `failed` with its fix, then
 * rethrown) and stops the adapter when the host aborts. Returns the function that detaches the abort hook.
 */
export async function serveForAdapter(
  server: Server,
  ctx: { status(s: 'failed', detail?: string): void; signal: AbortSignal },
  o: ListenOptions & { host: string; port: number; onAbort(): void },
): Promise<() => void> {
  try {
    await listenOn(server, o.host, o.port, o);
  } catch (error) {
    ctx.status('failed', error instanceof Error ? error.message : String(error));
    throw error;
  }
  const onAbort = () => o.onAbort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  return () => ctx.signal.removeEventListener('abort', onAbort);
}
