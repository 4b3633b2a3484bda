// Test support only (not exported from the package): a real HTTP server on 127.0.0.1 for the
// download tests, recording what it was asked.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RecordedHit {
  path: string;
  headers: IncomingHttpHeaders;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  hits: RecordedHit[];
  close(): Promise<void>;
}

export async function startLoopback(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<LoopbackServer> {
  const hits: RecordedHit[] = [];
  const server = createServer((req, res) => {
    hits.push({ path: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: async () => {
      // Handlers that stall on purpose keep sockets open; cut them so close() cannot hang.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function makeTempDir(): Promise<{
  dir: string;
  files(): Promise<string[]>;
  remove(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'hermes-media-'));
  return {
    dir,
    files: async () => {
      try {
        return await readdir(dir);
      } catch {
        return [];
      }
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Resolves after `ms`; used only to pace a streaming body, never to wait for an outcome. */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
