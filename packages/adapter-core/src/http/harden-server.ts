import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { AdapterError } from '../errors.js';

export interface HardenServerOptions {
  /**
   * Connections one remote address may hold open at once; the next one is destroyed as soon as it is
   * accepted. Default 64: plenty for a sender's keep-alive pool, far too few to exhaust file descriptors.
   */
  maxConnectionsPerAddress?: number;
  /** How long a refused socket gets to flush its 400/408 before it is destroyed. Default 1000 ms. */
  errorFlushMs?: number;
}

export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64;
/** Headers slower than this are a slow-loris client, not a slow network. */
export const MAX_HEADERS_TIMEOUT_MS = 15_000;
// Node checks header/request deadlines on this interval (30 s by default), so without it a dribbling
// client would hold its socket up to 30 s past its deadline.
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/**
 * Hardening every adapter's HTTP server gets; call it before `listen`:
 * - headers must arrive within 15 s (or the server's own shorter `headersTimeout`), the whole request
 *   within the server's `requestTimeout`, checked every second;
 * - a request Node cannot parse, or that timed out, gets its 400/408/431 and then the socket is
 *   destroyed, so a client that never reads or never closes cannot keep it;
 * - at most `maxConnectionsPerAddress` concurrent connections per client address;
 * - a short keep-alive.
 */
export function hardenServer(server: Server, options: HardenServerOptions = {}): Server {
  const maxPerAddress = options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
  const errorFlushMs = options.errorFlushMs ?? 1000;
  if (!(Number.isInteger(maxPerAddress) && maxPerAddress >= 1)) {
    throw new AdapterError(
      'config_invalid',
      `hardenServer maxConnectionsPerAddress must be a whole number >= 1, got ${maxPerAddress}`,
    );
  }
  server.keepAliveTimeout = 5000;
  applyTimeouts(server);
  capConnectionsPerAddress(server, maxPerAddress);
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    writeThenDestroy(socket, `HTTP/1.1 ${clientErrorStatus(error)}\r\n${CLOSE_HEADERS}`, errorFlushMs);
  });
  return server;
}

const CLOSE_HEADERS = 'Connection: close\r\nContent-Length: 0\r\n\r\n';

function clientErrorStatus(error: NodeJS.ErrnoException): string {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return '408 Request Timeout';
  if (error.code === 'HPE_HEADER_OVERFLOW') return '431 Request Header Fields Too Large';
  return '400 Bad Request';
}

function applyTimeouts(server: Server): void {
  if (!(server.headersTimeout > 0) || server.headersTimeout > MAX_HEADERS_TIMEOUT_MS) {
    server.headersTimeout = MAX_HEADERS_TIMEOUT_MS;
  }
  // 0 would switch the whole-request deadline off; Node requires it to be at least the headers one.
  if (!(server.requestTimeout > 0)) server.requestTimeout = 300_000;
  if (server.requestTimeout < server.headersTimeout) server.requestTimeout = server.headersTimeout;
  // Read by Node when the server starts listening; not part of the typed Server surface.
  const tracked = server as Server & { connectionsCheckingInterval?: number };
  tracked.connectionsCheckingInterval = Math.min(
    tracked.connectionsCheckingInterval ?? TIMEOUT_CHECK_INTERVAL_MS,
    TIMEOUT_CHECK_INTERVAL_MS,
  );
}

/**
 * `end()` alone only half-closes: HTTP servers allow half-open sockets, so a client that never reads
 * and never closes would keep it for ever. The answer is flushed, then the socket is destroyed; if it
 * cannot flush (the client does not read), it is destroyed after `flushMs` anyway.
 */
function writeThenDestroy(socket: Duplex, response: string, flushMs: number): void {
  const timer = setTimeout(() => socket.destroy(), flushMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.end(response, () => socket.destroy());
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are the same client. */
function addressKey(address: string | undefined): string | undefined {
  return address?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '').toLowerCase();
}

function capConnectionsPerAddress(server: Server, max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Duplex & { remoteAddress?: string }) => {
    const key = addressKey(socket.remoteAddress);
    // No address: the peer is already gone.
    if (key === undefined) {
      socket.destroy();
      return;
    }
    const count = open.get(key) ?? 0;
    if (count >= max) {
      socket.destroy();
      return;
    }
    open.set(key, count + 1);
    socket.once('close', () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left <= 0) open.delete(key);
      else open.set(key, left);
    });
  });
}
