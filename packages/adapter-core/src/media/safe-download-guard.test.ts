import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../errors.js';
import type { MediaAddressAllowRule, MediaLookup, ResolvedAddress } from './address-guard.js';
import { type LoopbackServer, makeTempDir, startLoopback } from './loopback-fixture.js';
import { MediaCache } from './media-cache.js';
import { safeDownload } from './safe-download.js';

// The private-address guard, tested honestly on a loopback-only machine: names under `.test` (which no
// real resolver answers) are mapped by an injected lookup. `public.test` is admitted to 127.0.0.1 by
// an `isAllowedAddress` rule for that one name, standing in for a public host; every other private
// target (other names, IP literals) is still judged by the real guard.

async function rejectionOf(work: Promise<unknown>): Promise<AdapterError> {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(AdapterError);
    return error as AdapterError;
  }
  throw new Error('expected the download to fail, it succeeded');
}

function fakeDns(table: Record<string, string[]>): MediaLookup & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (host: string): Promise<ResolvedAddress[]> => {
    calls.push(host);
    const answers = table[host];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(lookup, { calls });
}

const onlyPublicTest: MediaAddressAllowRule = ({ hostname }) => hostname === 'public.test';

const servers: LoopbackServer[] = [];
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let cache: MediaCache;

async function serve(handler: Parameters<typeof startLoopback>[0]): Promise<LoopbackServer> {
  const server = await startLoopback(handler);
  servers.push(server);
  return server;
}

beforeEach(async () => {
  temp = await makeTempDir();
  cache = new MediaCache({ dir: join(temp.dir, 'cache') });
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await temp.remove();
});

const ok = (body = 'hello'): Parameters<typeof startLoopback>[0] => {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(body);
  };
};

describe('safeDownload: private addresses refused by default', () => {
  it('refuses a loopback URL without connecting, and says how to allow it', async () => {
    const server = await serve(ok());
    const error = await rejectionOf(safeDownload(`${server.url}/a.txt`, cache, { maxBytes: 1000 }));
    expect(error.code).toBe('media_refused');
    expect(error.message).toContain('127.0.0.1');
    expect(error.message).toContain('loopback');
    expect(error.message).toContain('HERMES_MEDIA_ALLOW_PRIVATE');
    expect(error.fix).toContain('HERMES_MEDIA_ALLOW_PRIVATE=true');
    expect(server.hits).toHaveLength(0);
  });

  it.each([
    ['[::1]', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['2130706433', 'loopback'], // decimal 127.0.0.1; the URL parser normalises it
    ['0x7f.1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['169.254.169.254', 'link-local'], // cloud metadata endpoint
  ])('refuses the IP-literal host %s', async (host, kind) => {
    const error = await rejectionOf(safeDownload(`http://${host}:9/x`, cache, { maxBytes: 1000 }));
    expect(error.code).toBe('media_refused');
    expect(error.message).toContain(kind);
  });

  it('refuses a host name whose DNS answer is private', async () => {
    const lookup = fakeDns({ 'intranet.test': ['10.0.0.5'] });
    const error = await rejectionOf(
      safeDownload('http://intranet.test/report.pdf', cache, { maxBytes: 1000, lookup }),
    );
    expect(error.code).toBe('media_refused');
    expect(error.message).toContain('intranet.test (10.0.0.5)');
    expect(error.message).toContain('private (RFC 1918)');
  });

  it('refuses a host when any one of its answers is private', async () => {
    const lookup = fakeDns({ 'mixed.test': ['93.184.216.34', 'fd00::1'] });
    const error = await rejectionOf(
      safeDownload('https://mixed.test/a.png', cache, { maxBytes: 1000, lookup }),
    );
    expect(error.code).toBe('media_refused');
    expect(error.message).toContain('unique-local');
  });

  it('refuses localhost through the system resolver', async () => {
    const server = await serve(ok());
    const error = await rejectionOf(
      safeDownload(`http://localhost:${server.port}/x`, cache, { maxBytes: 1000 }),
    );
    expect(error.code).toBe('media_refused');
    expect(server.hits).toHaveLength(0);
  });

  it('reports an unresolvable host as a network error', async () => {
    const lookup = fakeDns({});
    const error = await rejectionOf(safeDownload('http://nowhere.test/x', cache, { maxBytes: 1000, lookup }));
    expect(error.code).toBe('network');
    expect(error.message).toContain('nowhere.test');
  });
});

describe('safeDownload: allowed hosts, pinning and redirects', () => {
  it('reaches an admitted host at its vetted address, keeping the Host header', async () => {
    const server = await serve(ok('from public'));
    const lookup = fakeDns({ 'public.test': ['127.0.0.1'] });
    const got = await safeDownload(`http://public.test:${server.port}/note.txt`, cache, {
      maxBytes: 1000,
      lookup,
      isAllowedAddress: onlyPublicTest,
    });
    expect(got).toMatchObject({ name: 'note.txt', mime: 'text/plain', bytes: 11 });
    expect(server.hits[0]?.headers.host).toBe(`public.test:${server.port}`);
    expect(lookup.calls).toEqual(['public.test']);
  });

  it('connects to the address it checked even if DNS would answer differently the second time', async () => {
    const server = await serve(ok());
    let answer = '127.0.0.1';
    const calls: string[] = [];
    // A rebinding resolver: first answer passes the check, every later one points into the LAN.
    const lookup: MediaLookup = async (host) => {
      calls.push(host);
      const address = answer;
      answer = '10.0.0.5';
      return [{ address, family: 4 }];
    };
    const got = await safeDownload(`http://public.test:${server.port}/a.txt`, cache, {
      maxBytes: 1000,
      lookup,
      isAllowedAddress: onlyPublicTest,
    });
    expect(got.bytes).toBe(5);
    // One resolution only: the socket used the pinned answer (the system resolver knows no public.test).
    expect(calls).toEqual(['public.test']);
    expect(server.hits).toHaveLength(1);
  });

  it('refuses a redirect from an allowed host to a private host name', async () => {
    const target = await serve(ok('secret'));
    const entry = await serve((_req, res) => {
      res.writeHead(302, { location: `http://intranet.test:${target.port}/secret` });
      res.end();
    });
    const lookup = fakeDns({ 'public.test': ['127.0.0.1'], 'intranet.test': ['10.0.0.5'] });
    const error = await rejectionOf(
      safeDownload(`http://public.test:${entry.port}/start`, cache, {
        maxBytes: 1000,
        lookup,
        isAllowedAddress: onlyPublicTest,
      }),
    );
    expect(error.code).toBe('media_refused');
    expect(error.message).toContain('intranet.test (10.0.0.5)');
    expect(lookup.calls).toEqual(['public.test', 'intranet.test']);
    expect(entry.hits).toHaveLength(1);
    expect(target.hits).toHaveLength(0);
  });

  it('refuses a redirect from an allowed host to a loopback IP literal, never touching it', async () => {
    const target = await serve(ok('secret'));
    const entry = await serve((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${target.port}/admin` });
      res.end();
    });
    const lookup = fakeDns({ 'public.test': ['127.0.0.1'] });
    const error = await rejectionOf(
      safeDownload(`http://public.test:${entry.port}/start`, cache, {
        maxBytes: 1000,
        lookup,
        isAllowedAddress: onlyPublicTest,
      }),
    );
    expect(error.code).toBe('media_refused');
    expect(error.message).toContain('127.0.0.1');
    expect(target.hits).toHaveLength(0);
    expect(await temp.files()).not.toContain('secret');
  });

  it('sends credentials along a same-origin redirect but not to another origin', async () => {
    const server = await serve((req, res) => {
      if (req.url === '/start') {
        res.writeHead(302, { location: '/same' });
      } else if (req.url === '/same') {
        res.writeHead(302, { location: `http://cdn.test:${req.socket.localPort}/file.txt` });
      } else {
        res.writeHead(200);
        res.write('ok');
      }
      res.end();
    });
    const lookup = fakeDns({ 'public.test': ['127.0.0.1'], 'cdn.test': ['127.0.0.1'] });
    await safeDownload(`http://public.test:${server.port}/start`, cache, {
      maxBytes: 1000,
      lookup,
      isAllowedAddress: ({ hostname }) => hostname.endsWith('.test'),
      headers: { Authorization: 'Bearer TOKEN', 'X-Trace': 'keep' },
    });
    const [start, same, cdn] = server.hits;
    expect(start?.headers.authorization).toBe('Bearer TOKEN');
    expect(same?.headers.authorization).toBe('Bearer TOKEN');
    expect(cdn?.headers.authorization).toBeUndefined();
    expect(cdn?.headers['x-trace']).toBe('keep');
    expect(cdn?.headers.host).toBe(`cdn.test:${server.port}`);
  });

  it('allowPrivate opens every private address', async () => {
    const server = await serve(ok());
    const lookup = fakeDns({ 'nas.test': ['127.0.0.1'] });
    const got = await safeDownload(`http://nas.test:${server.port}/x.txt`, cache, {
      maxBytes: 1000,
      lookup,
      allowPrivate: true,
    });
    expect(got.name).toBe('x.txt');
  });
});
