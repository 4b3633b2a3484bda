import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { recordFrame } from './recorded-request.js';
import type { RecordedFrame, WebSocketHandler } from './types.js';
import { createWaitList } from './wait-list.js';

/** The WebSocket half of the fake: accepts upgrades, records frames, and can cut or close sockets. */
export class WebSocketHub {
  readonly sockets = new Set<WebSocket>();
  readonly frames: RecordedFrame[] = [];
  connectionCount = 0;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly handlers: WebSocketHandler[] = [];
  private readonly paths: ReadonlySet<string> | undefined;
  private readonly frameWaits = createWaitList(this.frames);
  private readonly connectionWaits = createWaitList<WebSocket>([]);
  private newest: WebSocket | undefined;

  constructor(paths: string | string[] | undefined) {
    this.paths = paths === undefined ? undefined : new Set(Array.isArray(paths) ? paths : [paths]);
  }

  onWebSocket(handler: WebSocketHandler): void {
    this.handlers.push(handler);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (this.paths !== undefined && !this.paths.has(path)) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req, path));
  }

  private accept(ws: WebSocket, req: IncomingMessage, path: string): void {
    this.sockets.add(ws);
    this.connectionCount += 1;
    this.newest = ws;
    ws.on('close', () => this.sockets.delete(ws));
    // A client that resets the TCP connection emits 'error' on the server side: expected in fault tests.
    ws.on('error', () => {});
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const frame = recordFrame(ws, path, toBuffer(data), isBinary);
      this.frames.push(frame);
      this.frameWaits.offer(frame);
    });
    for (const handler of this.handlers) handler(ws, req);
    this.connectionWaits.offer(ws);
  }

  waitForFrame(match: (f: RecordedFrame) => boolean, timeoutMs: number): Promise<RecordedFrame> {
    return this.frameWaits.wait(match, timeoutMs, () => {
      const last = this.frames.slice(-5).map((f) => JSON.stringify(f.text().slice(0, 60)));
      return `waitForFrame timed out after ${timeoutMs} ms; ${this.frames.length} frame(s) received${last.length ? `, last: ${last.join(', ')}` : ''}`;
    });
  }

  async waitForConnection(count: number, timeoutMs: number): Promise<WebSocket> {
    if (this.connectionCount >= count && this.newest !== undefined) return this.newest;
    const target = count;
    return this.connectionWaits.wait(
      () => this.connectionCount >= target,
      timeoutMs,
      () =>
        `waitForConnection timed out after ${timeoutMs} ms: wanted connection #${target}, ${this.connectionCount} accepted so far`,
    );
  }

  broadcast(data: string | Buffer | object): number {
    const payload = typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data);
    let sent = 0;
    for (const ws of this.sockets) {
      if (ws.readyState !== ws.OPEN) continue;
      ws.send(payload);
      sent += 1;
    }
    return sent;
  }

  dropSockets(): number {
    const count = this.sockets.size;
    for (const ws of this.sockets) ws.terminate();
    return count;
  }

  closeSockets(code = 1000, reason = ''): number {
    const count = this.sockets.size;
    for (const ws of this.sockets) ws.close(code, reason);
    return count;
  }

  /** Terminates every socket and resolves when each has emitted 'close'. */
  async close(): Promise<void> {
    this.frameWaits.rejectAll('fake server closed while waiting for a WebSocket frame');
    this.connectionWaits.rejectAll('fake server closed while waiting for a WebSocket connection');
    const closed = [...this.sockets].map(
      (ws) =>
        new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', resolve))),
    );
    for (const ws of this.sockets) ws.terminate();
    await Promise.all(closed);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
