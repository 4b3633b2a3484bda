// Test support: small HTTP servers and a forward proxy on 127.0.0.1, each closed by its close().
import { once } from 'node:events';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type RequestListener,
  type Server,
} from 'node:http';
import { connect, type Socket } from 'node:net';

export interface LoopbackServer {
  url: string;
  port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('server has no port');
  return address.port;
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

/** Listens on 127.0.0.1 and counts the connections `server` accepts. */
async function serve(server: Server, sockets: Set<Socket>): Promise<LoopbackServer> {
  let connections = 0;
  server.on('connection', () => {
    connections++;
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get connections() {
      return connections;
    },
    close: closer(server, sockets),
  };
}

export function startServer(handler: RequestListener): Promise<LoopbackServer> {
  return serve(createServer(handler), new Set());
}

export interface LoopbackProxy extends LoopbackServer {
  /** What went through it: `CONNECT host:port` for tunnels, `METHOD absolute-url` for plain requests. */
  readonly seen: string[];
}

/** A forward proxy: tunnels CONNECT and relays absolute-form requests, recording each. */
export async function startProxy(): Promise<LoopbackProxy> {
  const seen: string[] = [];
  const tunnels = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = httpRequest(req.url ?? '', { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const target = connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      target.write(head);
      target.pipe(client);
      client.pipe(target);
    });
    for (const s of [client, target]) {
      tunnels.add(s);
      s.on('error', () => {
        client.destroy();
        target.destroy();
      });
      s.on('close', () => tunnels.delete(s));
    }
  });
  return Object.assign(await serve(server, tunnels), { seen });
}

/** Rejects with `label` if `promise` takes longer than `ms`: no test waits unbounded. */
export function within<T>(promise: Promise<T>, ms: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}
