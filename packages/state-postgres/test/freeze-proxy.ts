import { createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 in front of PostgreSQL that can stop forwarding bytes without closing anything:
 * to the client the database becomes unreachable the way a partition looks (requests hang), not a refusal.
 */
export interface FreezeProxy {
  readonly port: number;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

export function startFreezeProxy(targetPort: number): Promise<FreezeProxy> {
  let frozen = false;
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((inbound) => {
    const outbound = new (inbound.constructor as typeof Socket)();
    outbound.connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [inbound, outbound];
    pairs.add(pair);
    const relay = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => {
        if (!frozen) to.write(chunk);
        // Frozen: bytes are dropped, as a partition loses them; the client waits for a reply that never comes.
      });
    };
    relay(inbound, outbound);
    relay(outbound, inbound);
    const end = () => {
      inbound.destroy();
      outbound.destroy();
      pairs.delete(pair);
    };
    inbound.on('error', end).on('close', end);
    outbound.on('error', end).on('close', end);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : 0,
        freeze: () => {
          frozen = true;
        },
        thaw: () => {
          frozen = false;
        },
        close: () =>
          new Promise((done) => {
            for (const [a, b] of pairs) {
              a.destroy();
              b.destroy();
            }
            server.close(() => done());
          }),
      });
    });
  });
}
