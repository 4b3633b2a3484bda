import type { Server } from 'node:http';

/**
 * Closes a server: idle sockets at once, answers already written get `graceMs` to flush, then every
 * remaining connection is cut, so stop() never hangs on a client that keeps its socket open.
 */
export function closeServer(server: Server, graceMs = 1000): Promise<void> {
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Where a listening server actually is (the real port when it was asked for port 0). */
export function serverAddress(
  server: Server | undefined,
): { host: string; port: number; url: string } | undefined {
  const info = server?.address();
  if (!info || typeof info === 'string') return undefined;
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
  return { host: info.address, port: info.port, url: `http://${host}:${info.port}` };
}
