import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  serverConnections as openConnections,
  openRawSocket,
  readUntilClosed,
  requestOnSocket as requestOn,
} from '../testing/raw-http.js';
import { hardenServer } from './harden-server.js';
import { closeServer } from './server-lifecycle.js';

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => closeServer(s, 100)));
});

async function startHardened(
  timeouts: { headersTimeout: number; requestTimeout: number },
  options: Parameters<typeof hardenServer>[1] = {},
): Promise<{ server: Server; port: number }> {
  const server = hardenServer(
    createServer(timeouts, (_req, res) => res.end('ok')),
    options,
  );
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** Polls `check` until it holds (bounded); the message names what never happened. */
async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  await vi.waitFor(
    async () => {
      if (!(await check())) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    },
    { timeout: timeoutMs, interval: 25 },
  );
}

async function held(port: number, localAddress?: string): Promise<Socket> {
  const socket = await openRawSocket(port, localAddress ? { localAddress } : {});
  sockets.push(socket);
  return socket;
}

describe('hardenServer: slow and broken clients lose their socket', () => {
  it('drops a client that dribbles headers and never reads, and one that sends nothing', async () => {
    const { server, port } = await startHardened({ headersTimeout: 300, requestTimeout: 600 });
    const dribbler = await held(port);
    dribbler.write('POST /webhooks/x HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1');
    dribbler.pause();
    const silent = await held(port);
    silent.pause();
    await waitUntil(async () => (await openConnections(server)) === 2, 'both connections accepted');
    // Before the fix the server only half-closed these and kept them as long as the client did.
    await waitUntil(async () => (await openConnections(server)) === 0, 'the server to drop both sockets');
  });

  it('answers a timed-out client that does read with 408, then closes', async () => {
    const { port } = await startHardened({ headersTimeout: 300, requestTimeout: 600 });
    const reader = await held(port);
    reader.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    expect(await readUntilClosed(reader)).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers an unparsable request with 400 and drops it even if the client never reads or closes', async () => {
    const { server, port } = await startHardened({ headersTimeout: 5000, requestTimeout: 10_000 });
    const junk = await held(port);
    junk.write('NOT-HTTP \u0001\r\n\r\n');
    junk.pause();
    await waitUntil(async () => (await openConnections(server)) === 0, 'the server to drop the socket');
    const reader = await held(port);
    reader.write('NOT-HTTP \u0001\r\n\r\n');
    expect(await readUntilClosed(reader)).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('caps the headers timeout of a server created without one at 15 s and checks it every second', () => {
    const server = hardenServer(createServer());
    expect(server.headersTimeout).toBe(15_000);
    expect(server.requestTimeout).toBeGreaterThanOrEqual(15_000);
    expect((server as Server & { connectionsCheckingInterval?: number }).connectionsCheckingInterval).toBe(
      1000,
    );
  });
});

describe('hardenServer: connections per client address', () => {
  it('refuses the 65th connection from one address at once; the 64 it holds still work', async () => {
    const { server, port } = await startHardened({ headersTimeout: 10_000, requestTimeout: 10_000 });
    const open: Socket[] = [];
    for (let i = 0; i < 64; i++) open.push(await held(port));
    await waitUntil(async () => (await openConnections(server)) === 64, '64 accepted connections');

    const refused = await held(port);
    expect(await readUntilClosed(refused)).toBe('');
    expect(await openConnections(server)).toBe(64);

    expect(await requestOn(open[0]!)).toMatch(/^HTTP\/1\.1 200 /);
    await waitUntil(async () => (await openConnections(server)) === 63, 'the answered socket to close');
    // A slot freed by a closed connection is available again.
    expect(await requestOn(await held(port))).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('counts each address separately (another loopback source address is not affected)', async () => {
    const { server, port } = await startHardened(
      { headersTimeout: 10_000, requestTimeout: 10_000 },
      { maxConnectionsPerAddress: 2 },
    );
    await held(port);
    await held(port);
    await waitUntil(async () => (await openConnections(server)) === 2, '2 accepted connections');
    expect(await readUntilClosed(await held(port))).toBe('');
    expect(await requestOn(await held(port, '127.0.0.2'))).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('refuses a cap that is not a whole number >= 1, naming the option', () => {
    expect(() => hardenServer(createServer(), { maxConnectionsPerAddress: 0 })).toThrow(
      /maxConnectionsPerAddress/,
    );
  });
});
