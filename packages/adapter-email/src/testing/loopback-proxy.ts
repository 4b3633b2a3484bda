import { createConnection, createServer, type Socket } from 'node:net';

/** One client connection the proxy saw. */
export interface ProxiedConnection {
  /** When it was opened (epoch ms). */
  at: number;
  /** The reply it got instead of the server, when a fault was armed. */
  refusedWith?: string;
  /** The Message-ID header the client sent through it (SMTP), when one was seen. */
  messageId?: string;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, for what a real server cannot be asked to do on
 * cue: cut every connection (a network drop), answer the next connection with a temporary failure (an
 * SMTP server rate limiting us), count the connections a client holds.
 */
export interface LoopbackProxy {
  readonly port: number;
  readonly connections: readonly ProxiedConnection[];
  readonly openConnections: number;
  /** The next connection gets `line` (e.g. "421 4.7.0 Try again in 1 seconds") and is closed. */
  refuseNext(line: string): void;
  /** Destroys every open connection without a goodbye. */
  dropAll(): void;
  close(): Promise<void>;
}

const SNIFF_LIMIT = 64 * 1024;

export interface LoopbackProxyOptions {
  /**
   * Removes this word from the server's IMAP CAPABILITY lists on the way to the client, e.g. `IDLE`: the
   * client then sees a server without that extension.
   */
  hideCapability?: string;
}

export async function startLoopbackProxy(
  targetPort: number,
  options: LoopbackProxyOptions = {},
): Promise<LoopbackProxy> {
  const sockets = new Set<Socket>();
  const connections: ProxiedConnection[] = [];
  const refusals: string[] = [];
  const server = createServer((client) => {
    const record: ProxiedConnection = { at: Date.now() };
    connections.push(record);
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => {});
    const refusal = refusals.shift();
    if (refusal !== undefined) {
      record.refusedWith = refusal;
      client.end(`${refusal}\r\n`);
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    sockets.add(upstream);
    upstream.once('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.once('close', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    let sniffed = '';
    client.on('data', (chunk: Buffer) => {
      if (record.messageId === undefined && sniffed.length < SNIFF_LIMIT) {
        sniffed += chunk.toString('latin1');
        const match = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(sniffed);
        if (match) record.messageId = match[1]!;
      }
    });
    client.pipe(upstream);
    const hidden = options.hideCapability;
    if (hidden === undefined) {
      upstream.pipe(client);
    } else {
      // Capability lists are short lines, each in one loopback packet: a per-chunk rewrite suffices here.
      const word = new RegExp(`(CAPABILITY[^\\r\\n]*?) ${hidden}(?=[\\s\\]])`, 'g');
      upstream.on('data', (chunk: Buffer) => {
        client.write(Buffer.from(chunk.toString('latin1').replace(word, '$1'), 'latin1'));
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== 'object') throw new Error('the proxy has no port');
  return {
    port: address.port,
    connections,
    get openConnections() {
      // Each client connection has its upstream twin; count the client side only.
      return connections.length === 0 ? 0 : [...sockets].filter((s) => s.remotePort !== targetPort).length;
    },
    refuseNext(line) {
      refusals.push(line);
    },
    dropAll() {
      for (const socket of sockets) socket.destroy();
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
