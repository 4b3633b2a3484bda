import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { waitFor, withTimeout } from '../wait-for.js';
import { startFakeServer } from './fake-server.js';
import type { FakeServer } from './types.js';

let fake: FakeServer;
const clients: WebSocket[] = [];

const inbox = new Map<WebSocket, string[]>();

/** Connects and records every message from the start: the server may speak before 'open' is handled. */
function connect(path: string): Promise<WebSocket> {
  const ws = new WebSocket(`${fake.wsUrl}${path}`);
  clients.push(ws);
  const messages: string[] = [];
  inbox.set(ws, messages);
  ws.on('message', (data) => messages.push(data.toString()));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket, index = 0): Promise<string> {
  return waitFor(() => inbox.get(ws)?.[index], {
    timeoutMs: 2000,
    what: `message #${index + 1} on the client`,
  });
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  const result = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return withTimeout(result, 2000, 'the client socket to close');
}

afterEach(async () => {
  for (const ws of clients.splice(0)) ws.terminate();
  inbox.clear();
  await fake.close();
});

describe('fake server: WebSocket', () => {
  it('accepts connections on the configured paths only', async () => {
    fake = await startFakeServer({ websocketPath: ['/ws', '/gateway'] });
    await connect('/ws');
    await connect('/gateway');
    await expect(connect('/elsewhere')).rejects.toThrow(/404/);
    expect(fake.connectionCount).toBe(2);
    expect(fake.sockets.size).toBe(2);
  });

  it('hands new sockets to onWebSocket handlers and records frames received', async () => {
    fake = await startFakeServer({ websocketPath: '/ws' });
    fake.onWebSocket((socket, req) => socket.send(JSON.stringify({ type: 'hello', url: req.url })));
    const client = await connect('/ws?v=1');
    const hello = await nextMessage(client);
    expect(JSON.parse(hello)).toEqual({ type: 'hello', url: '/ws?v=1' });
    client.send(JSON.stringify({ op: 2, token: 'x' }));
    client.send(Buffer.from([1, 2, 3]));
    const frame = await fake.waitForFrame((f) => f.isBinary, 2000);
    expect([...frame.data]).toEqual([1, 2, 3]);
    expect(fake.frames[0]!.json()).toEqual({ op: 2, token: 'x' });
    expect(fake.frames[0]!.path).toBe('/ws');
  });

  it('broadcast sends to every open socket, JSON-encoding objects', async () => {
    fake = await startFakeServer();
    const a = await connect('/a');
    const b = await connect('/b');
    expect(fake.broadcast({ event: 'posted' })).toBe(2);
    expect(await Promise.all([a, b].map((ws) => nextMessage(ws)))).toEqual([
      '{"event":"posted"}',
      '{"event":"posted"}',
    ]);
  });

  it('dropSockets kills connections without a close frame (client sees 1006)', async () => {
    fake = await startFakeServer();
    const client = await connect('/ws');
    const result = closed(client);
    expect(fake.dropSockets()).toBe(1);
    expect((await result).code).toBe(1006);
    await waitFor(() => fake.sockets.size === 0, {
      timeoutMs: 2000,
      what: 'the server to forget the socket',
    });
  });

  it('closeSockets sends a close frame with the code and reason', async () => {
    fake = await startFakeServer();
    const client = await connect('/ws');
    const result = closed(client);
    fake.closeSockets(4000, 'session invalid');
    expect(await result).toEqual({ code: 4000, reason: 'session invalid' });
  });

  it('waitForConnection resolves on the Nth connection and times out with a count', async () => {
    fake = await startFakeServer();
    await connect('/ws');
    const second = fake.waitForConnection(2, 2000);
    await connect('/ws');
    await expect(second).resolves.toBeDefined();
    await expect(fake.waitForConnection(3, 50)).rejects.toThrow(
      'waitForConnection timed out after 50 ms: wanted connection #3, 2 accepted so far',
    );
  });

  it('waitForFrame times out quoting the last frames', async () => {
    fake = await startFakeServer();
    const client = await connect('/ws');
    client.send('ping');
    await fake.waitForFrame((f) => f.text() === 'ping', 2000);
    await expect(fake.waitForFrame((f) => f.text() === 'pong', 50)).rejects.toThrow(
      'waitForFrame timed out after 50 ms; 1 frame(s) received, last: "ping"',
    );
  });

  it('close() terminates open sockets and resolves once everything is closed', async () => {
    fake = await startFakeServer();
    const client = await connect('/ws');
    const result = closed(client);
    await fake.close();
    expect(fake.sockets.size).toBe(0);
    expect((await result).code).toBe(1006);
    await expect(fetch(fake.url)).rejects.toThrow();
  });
});
