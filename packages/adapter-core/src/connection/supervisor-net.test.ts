import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../errors.js';
import { createMemoryLogger } from '../logger.js';
import type { ConnectionDrop, SupervisedConnection } from './supervised-connection.js';
import { ConnectionSupervisor } from './supervisor.js';

/**
 * A real TCP loopback server speaking a tiny line protocol: the client sends `ping`, the server answers
 * `pong` unless muted (a socket that looks open but is dead, as in the WeCom 846609 reports).
 */
async function startLineServer() {
  const sockets = new Set<Socket>();
  const state = { muted: false, accepted: 0 };
  const server: Server = createServer((socket) => {
    state.accepted += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line === 'ping' && !state.muted) socket.write('pong\n');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    state,
    sockets,
    dropAll: () => {
      for (const s of sockets) s.destroy();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The client side: a SupervisedConnection over one TCP socket, with a correlated ping. */
function lineClient(port: number) {
  const clients: Socket[] = [];
  let current: { socket: Socket; pongWaiters: Array<() => void> } | undefined;
  const connect = (signal: AbortSignal) =>
    new Promise<SupervisedConnection>((resolve, reject) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      clients.push(socket);
      const onAbort = () => socket.destroy(new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      const link = { socket, pongWaiters: [] as Array<() => void> };
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) if (line === 'pong') link.pongWaiters.shift()?.();
      });
      socket.once('error', (error) => reject(error));
      socket.once('connect', () => {
        signal.removeEventListener('abort', onAbort);
        current = link;
        const closed = new Promise<ConnectionDrop>((done) => {
          socket.once('close', (hadError) => done({ reason: hadError ? 'socket error' : 'socket closed' }));
        });
        resolve({ closed, close: () => socket.destroy() });
      });
    });
  const ping = () =>
    new Promise<void>((resolve, reject) => {
      if (!current || current.socket.destroyed) return reject(new AdapterError('not_connected', 'no socket'));
      current.pongWaiters.push(resolve);
      current.socket.write('ping\n');
    });
  return { connect, ping, clients };
}

function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

async function until(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('ConnectionSupervisor over a real loopback TCP socket', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('reconnects after a server-side drop and after a dead (muted) socket, then stops cleanly', async () => {
    const baseline = activeResources();
    const server = await startLineServer();
    cleanups.push(server.close);
    const client = lineClient(server.port);
    const logger = createMemoryLogger();
    const supervisor = new ConnectionSupervisor({
      name: 'line',
      logger,
      connect: client.connect,
      backoff: { kind: 'schedule', delaysMs: [20, 40], jitter: 0.2 },
      heartbeat: { intervalMs: 30, timeoutMs: 80, send: client.ping },
      connectTimeoutMs: 2000,
    });
    cleanups.push(() => supervisor.stop());

    await supervisor.start();
    await until(() => server.sockets.size === 1, 'first server socket');

    server.dropAll();
    await until(() => server.state.accepted === 2 && supervisor.status === 'online', 'reconnect after drop');
    expect(logger.find('warn', 'connection dropped: socket closed')).toHaveLength(1);

    server.state.muted = true;
    await until(() => logger.find('warn', 'heartbeat ack timeout').length > 0, 'heartbeat timeout');
    server.state.muted = false;
    await until(
      () => server.state.accepted >= 3 && supervisor.status === 'online',
      'reconnect after dead socket',
    );
    expect(logger.find('warn', 'after: heartbeat ack timeout').length).toBeGreaterThan(0);

    await supervisor.stop();
    expect(supervisor.status).toBe('offline');
    expect(supervisor.pendingTimers).toBe(0);
    expect(client.clients.every((s) => s.destroyed)).toBe(true);
    await until(() => server.sockets.size === 0, 'server sees every client gone');
    await server.close();
    // Nothing we opened keeps the event loop alive: no timer, no socket, no server beyond the baseline.
    const after = activeResources();
    expect(after.Timeout ?? 0).toBeLessThanOrEqual(baseline.Timeout ?? 0);
    expect(after.TCPSocketWrap ?? 0).toBeLessThanOrEqual(baseline.TCPSocketWrap ?? 0);
    // The listening handle is released a tick after the close callback.
    await until(
      () => (activeResources().TCPServerWrap ?? 0) <= (baseline.TCPServerWrap ?? 0),
      'server handle released',
      1000,
    );
  });

  it('keeps retrying while nothing listens and connects once the server is up', async () => {
    // Reserve a port, then free it so that connecting is refused for a while.
    const probe = await startLineServer();
    const port = probe.port;
    await probe.close();
    const client = lineClient(port);
    const logger = createMemoryLogger();
    const supervisor = new ConnectionSupervisor({
      name: 'late',
      logger,
      connect: client.connect,
      backoff: { kind: 'schedule', delaysMs: [15], jitter: 0 },
    });
    cleanups.push(() => supervisor.stop());
    const started = supervisor.start();
    await until(
      () =>
        logger.find('warn', 'failed').filter((l) => l.msg.startsWith('late: connect attempt')).length >= 2,
      'refused attempts',
    );

    const accepted = new Set<Socket>();
    const server = createServer((s) => {
      accepted.add(s);
      s.on('error', () => {});
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    cleanups.unshift(
      () =>
        new Promise<void>((resolve) => {
          for (const s of accepted) s.destroy();
          server.close(() => resolve());
        }),
    );
    await started;
    expect(supervisor.attempt).toBeGreaterThanOrEqual(3);
    await supervisor.stop();
    expect(client.clients.every((s) => s.destroyed)).toBe(true);
  });
});
