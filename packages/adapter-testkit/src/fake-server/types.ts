import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';

/** One HTTP request as the fake received it, body fully read. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/bot123/sendMessage`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Raw body bytes (empty Buffer when there was none). */
  body: Buffer;
  /** The body parsed as JSON; throws an Error naming the request when it is not JSON. */
  json<T = unknown>(): T;
  /** The body as UTF-8 text. */
  text(): string;
  /** `Date.now()` when the request's body was complete: use it for timing assertions, not the test's clock. */
  receivedAt: number;
  /** Set when a fault was applied to this request instead of (or, for `delay`, before) the route. */
  fault?: Fault;
  /** HTTP status the fake answered with; undefined while pending or when the socket was dropped. */
  status?: number;
  /** `Date.now()` when the answer was fully written; undefined while pending or when dropped. */
  respondedAt?: number;
}

export type RouteHandler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/** What the fault injector does to a matching request. */
export type Fault =
  /** Destroy the socket without any response (the client sees a reset / socket hang up). */
  | { kind: 'drop' }
  /** Wait, then answer normally through the route. */
  | { kind: 'delay'; ms: number }
  /** Answer with this status; `body` is JSON-encoded unless it is a string or Buffer. */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** 429 with a `Retry-After` header and a JSON body carrying `retry_after` (seconds). */
  | { kind: 'rate-limit'; retryAfterSeconds: number; body?: unknown }
  /** 200 with `content-type: application/json` and a body that is not valid JSON. */
  | { kind: 'garbage' };

/** Picks the requests a fault applies to: a predicate, or method and/or path (exact string or RegExp). */
export type RequestMatcher =
  | ((req: RecordedRequest) => boolean)
  | { method?: string; path?: string | RegExp };

export interface AppliedFault {
  fault: Fault;
  request: RecordedRequest;
}

export interface FaultInjector {
  /** Applies `fault` to the next `count` (default 1) requests that match (default: every request). */
  next(fault: Fault, count?: number, match?: RequestMatcher): void;
  /** Forgets every pending fault. */
  clear(): void;
  /** Faults still waiting for a matching request (sum of remaining counts). */
  readonly pending: number;
  /** Every fault applied so far, with the request it hit, in order. */
  readonly applied: readonly AppliedFault[];
}

/** One WebSocket message the fake received from a client. */
export interface RecordedFrame {
  socket: WebSocket;
  /** The upgrade path the socket connected on. */
  path: string;
  data: Buffer;
  isBinary: boolean;
  text(): string;
  json<T = unknown>(): T;
  receivedAt: number;
}

export type WebSocketHandler = (socket: WebSocket, req: IncomingMessage) => void;

export interface FakeServerOptions {
  /** Accept WebSocket upgrades only on these paths (others get 404). Default: every path. */
  websocketPath?: string | string[];
}

export interface FakeServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `ws://127.0.0.1:PORT` (append your path). */
  readonly wsUrl: string;
  readonly port: number;
  /**
   * Scripts the answer to `method` (`*` for any) on `path`. A later route for the same request wins,
   * so a test can override a harness default. Unknown routes get 404 with a JSON body.
   */
  route(method: string, path: string | RegExp, handler: RouteHandler): void;
  /** Every HTTP request received, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Resolves with the first request (already recorded or future) that matches. */
  waitForRequest(match: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Called for every accepted WebSocket connection, in registration order. */
  onWebSocket(handler: WebSocketHandler): void;
  /** Currently open server-side WebSocket connections. */
  readonly sockets: Set<WebSocket>;
  /** WebSocket connections accepted since start (open or not). */
  readonly connectionCount: number;
  /** Every WebSocket message received from clients, in arrival order. */
  readonly frames: RecordedFrame[];
  /** Resolves with the first frame (already recorded or future) that matches. */
  waitForFrame(match: (f: RecordedFrame) => boolean, timeoutMs?: number): Promise<RecordedFrame>;
  /** Resolves once at least `count` connections have ever been accepted, with the newest open socket. */
  waitForConnection(count?: number, timeoutMs?: number): Promise<WebSocket>;
  /** Sends to every open socket; objects are JSON-encoded. Returns how many sockets it reached. */
  broadcast(data: string | Buffer | object): number;
  /** Kills every open socket without a close frame (like a network cut). Returns how many. */
  dropSockets(): number;
  /** Closes every open socket with a close frame carrying `code` and `reason`. Returns how many. */
  closeSockets(code?: number, reason?: string): number;
  faults: FaultInjector;
  /** Terminates every socket, closes the servers and rejects pending waits; resolves when all are closed. */
  close(): Promise<void>;
}
