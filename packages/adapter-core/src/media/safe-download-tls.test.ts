import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getCACertificates, setDefaultCACertificates, type TLSSocket } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../errors.js';
import type { MediaLookup } from './address-guard.js';
import { makeTempDir } from './loopback-fixture.js';
import { MediaCache } from './media-cache.js';
import { safeDownload } from './safe-download.js';
import { PUBLIC_TEST_CERT, PUBLIC_TEST_KEY } from './tls-fixture.js';

// HTTPS with the socket pinned to a vetted address: the certificate must still be checked against the
// original host name (SNI and verification), not against the IP we connected to.

const lookup: MediaLookup = async (host) => {
  if (host !== 'public.test') throw Object.assign(new Error(`ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return [{ address: '127.0.0.1', family: 4 }];
};

let server: Server;
let port: number;
const serverNames: Array<string | false | null> = [];
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let cache: MediaCache;
const defaultCAs = getCACertificates('default');

beforeEach(async () => {
  temp = await makeTempDir();
  cache = new MediaCache({ dir: join(temp.dir, 'cache') });
  serverNames.length = 0;
  server = createServer({ key: PUBLIC_TEST_KEY, cert: PUBLIC_TEST_CERT }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('over tls');
  });
  server.on('secureConnection', (socket: TLSSocket) => serverNames.push(socket.servername));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  setDefaultCACertificates(defaultCAs);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await temp.remove();
});

const options = {
  maxBytes: 1000,
  lookup,
  timeoutMs: 5_000,
  isAllowedAddress: ({ hostname }: { hostname: string }) => hostname === 'public.test',
};

describe('safeDownload over HTTPS', () => {
  it('verifies the certificate: an untrusted one fails, not retryable', async () => {
    const error = await safeDownload(`https://public.test:${port}/a.txt`, cache, options).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as AdapterError).message).toMatch(/certificate/i);
    expect((error as AdapterError).retryable).toBe(false);
  });

  it('sends the original host name as SNI and accepts a certificate for it once trusted', async () => {
    setDefaultCACertificates([...defaultCAs, PUBLIC_TEST_CERT]);
    const got = await safeDownload(`https://public.test:${port}/a.txt`, cache, options);
    expect(got).toMatchObject({ name: 'a.txt', bytes: 8, mime: 'text/plain' });
    expect(serverNames).toEqual(['public.test']);
  });
});
