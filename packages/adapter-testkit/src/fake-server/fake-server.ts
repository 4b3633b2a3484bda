import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_WAIT_MS } from '../wait-for.js';
import { applyFault, createFaultEngine } from './faults.js';
import { describeRequests, recordRequest } from './recorded-request.js';
import { respondJson } from './respond.js';
import type { FakeServer, FakeServerOptions, RecordedRequest, RouteHandler } from './types.js';
import { createWaitList } from './wait-list.js';
import { WebSocketHub } from './websocket-hub.js';

interface Route {
  method: string;
  path: string | RegExp;
  handler: RouteHandler;
}

/**
 * Starts a loopback HTTP + WebSocket server on 127.0.0.1 and an ephemeral port. Every request is
 * recorded; routes script the answers; `faults` breaks the next matching requests on purpose.
 */
export async function startFakeServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const routes: Route[] = [];
  const requests: RecordedRequest[] = [];
  const requestWaits = createWaitList(requests);
  const faults = createFaultEngine();
  const hub = new WebSocketHub(options.websocketPath);
  const delays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let closing = false;
  let closed: Promise<void> | undefined;

  async function shutdown(): Promise<void> {
    closing = true;
    faults.clear();
    for (const entry of delays) entry.resolve();
    requestWaits.rejectAll('fake server closed while waiting for a request');
    await hub.close();
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await serverClosed;
  }

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = { timer: setTimeout(() => finish(), ms), resolve: () => finish() };
      function finish() {
        clearTimeout(entry.timer);
        delays.delete(entry);
        resolve();
      }
      delays.add(entry);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const recorded = await recordRequest(req);
    res.on('finish', () => {
      recorded.status = res.statusCode;
      recorded.respondedAt = Date.now();
    });
    requests.push(recorded);
    const fault = faults.take(recorded);
    if (fault !== undefined) recorded.fault = fault;
    requestWaits.offer(recorded);
    if (fault !== undefined && (await applyFault(fault, res, delay))) return;
    if (closing || res.destroyed) return;
    const route = findRoute(routes, recorded);
    if (route === undefined) {
      respondJson(
        res,
        { error: 'not_found', message: `fake server has no route for ${recorded.method} ${recorded.path}` },
        404,
      );
      return;
    }
    await route.handler(recorded, res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      respondJson(
        res,
        { error: 'fake_route_failed', message: error instanceof Error ? error.message : String(error) },
        500,
      );
    });
  });
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
  // Clients that reset mid-request must not crash the test process.
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    port,
    route(method, path, handler) {
      routes.push({ method: method.toUpperCase(), path, handler });
    },
    requests,
    waitForRequest(match, timeoutMs = DEFAULT_WAIT_MS) {
      return requestWaits.wait(
        match,
        timeoutMs,
        () => `waitForRequest timed out after ${timeoutMs} ms; the fake saw ${describeRequests(requests)}`,
      );
    },
    onWebSocket: (handler) => hub.onWebSocket(handler),
    sockets: hub.sockets,
    get connectionCount() {
      return hub.connectionCount;
    },
    frames: hub.frames,
    waitForFrame: (match, timeoutMs = DEFAULT_WAIT_MS) => hub.waitForFrame(match, timeoutMs),
    waitForConnection: (count = 1, timeoutMs = DEFAULT_WAIT_MS) => hub.waitForConnection(count, timeoutMs),
    broadcast: (data) => hub.broadcast(data),
    dropSockets: () => hub.dropSockets(),
    closeSockets: (code, reason) => hub.closeSockets(code, reason),
    faults,
    close() {
      closed ??= shutdown();
      return closed;
    },
  };
}

function findRoute(routes: readonly Route[], req: RecordedRequest): Route | undefined {
  for (let i = routes.length - 1; i >= 0; i -= 1) {
    const route = routes[i]!;
    if (route.method !== '*' && route.method !== req.method) continue;
    if (typeof route.path === 'string' ? route.path === req.path : route.path.test(req.path)) return route;
  }
  return undefined;
}
