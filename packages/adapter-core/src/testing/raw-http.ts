// Raw TCP clients for the tests of HTTP servers that must survive misbehaving clients: requests fetch()
// refuses to send (a bad Host, `//[::1`), clients that dribble headers, never read, or hold sockets open.
import type { Server } from 'node:http';
import { connect, type Socket } from 'node:net';

/** Every wait here is bounded; tests pass a shorter one where they expect an answer at once. */
const DEFAULT_WAIT_MS = 5_000;

export interface RawSocketOptions {
  /** Connect from another loopback source address (127.0.0.2) to look like a second client. */
  localAddress?: string;
  timeoutMs?: number;
}

export interface RawHttpResponse {
  status: number;
  /** Header names lower-cased; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent. */
  text: string;
}

const opened = new Set<Socket>();

/** Connects to 127.0.0.1:`port`; rejects naming the port when no connection is made in time. */
export function openRawSocket(port: number, options: RawSocketOptions = {}): Promise<Socket> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  return new Promise((resolve, reject) => {
    const local = options.localAddress ? { localAddress: options.localAddress } : {};
    const socket = connect({ port, host: '127.0.0.1', ...local });
    opened.add(socket);
    socket.once('close', () => opened.delete(socket));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection to 127.0.0.1:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      // A reset from the server after connecting is an outcome the test reads from 'close', not a crash.
      socket.on('error', () => {});
      resolve(socket);
    });
  });
}

/** Destroys every socket `openRawSocket` opened that is still open; call from afterEach. */
export function destroyRawSockets(): void {
  for (const socket of opened) socket.destroy();
  opened.clear();
}

/** Everything the server sends until it closes the connection; rejects if it keeps it open too long. */
export function readUntilClosed(socket: Socket, timeoutMs = DEFAULT_WAIT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${timeoutMs} ms`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.resume();
  });
}

/** Splits a raw HTTP/1.1 answer into status, headers and body. */
export function parseRawHttpResponse(text: string): RawHttpResponse {
  const split = text.indexOf('\r\n\r\n');
  const head = split < 0 ? text : text.slice(0, split);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  if (status === undefined) throw new Error(`no HTTP answer, got ${JSON.stringify(text.slice(0, 80))}`);
  return { status: Number(status), headers, body: split < 0 ? '' : text.slice(split + 4), text };
}

/**
 * Sends `raw` verbatim on a new connection (it should ask for `Connection: close`) and parses the answer
 * once the server closes the connection.
 */
export async function sendRawHttp(
  port: number,
  raw: string,
  options: RawSocketOptions = {},
): Promise<RawHttpResponse> {
  const socket = await openRawSocket(port, options);
  const answer = readUntilClosed(socket, options.timeoutMs);
  socket.write(raw);
  return parseRawHttpResponse(await answer);
}

/** Sends one `Connection: close` GET on a socket already open and returns the raw answer. */
export function requestOnSocket(socket: Socket, path = '/', timeoutMs = DEFAULT_WAIT_MS): Promise<string> {
  const answer = readUntilClosed(socket, timeoutMs);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  return answer;
}

/** Connections a server holds open right now. */
export function serverConnections(server: Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

/** Resolves once `socket` has received `text`; rejects naming it after `timeoutMs`. */
export function socketReceives(socket: Socket, text: string, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      socket.off('data', onData);
      reject(new Error(`socket did not receive ${JSON.stringify(text)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onData = (chunk: Buffer | string) => {
      seen += chunk.toString();
      if (!seen.includes(text)) return;
      clearTimeout(timer);
      socket.off('data', onData);
      resolve();
    };
    socket.on('data', onData);
  });
}
