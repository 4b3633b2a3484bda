import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../errors.js';
import { type LoopbackServer, makeTempDir, pause, startLoopback } from './loopback-fixture.js';
import { MediaCache } from './media-cache.js';
import { safeDownload } from './safe-download.js';

// A complete 1x1 PNG and the first bytes of a JFIF JPEG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const JPEG = Buffer.concat([
  Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x48,
  ]),
  Buffer.alloc(200, 7),
]);

async function rejectionOf(work: Promise<unknown>): Promise<AdapterError> {
  try {
    await work;
  } catch (error) {
    expect(error).toBeInstanceOf(AdapterError);
    return error as AdapterError;
  }
  throw new Error('expected the download to fail, it succeeded');
}

let server: LoopbackServer | undefined;
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let cache: MediaCache;

beforeEach(async () => {
  temp = await makeTempDir();
  cache = new MediaCache({ dir: join(temp.dir, 'cache') });
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await temp.remove();
});

const cacheFiles = async (): Promise<string[]> => {
  try {
    return await readdir(cache.dir);
  } catch {
    return [];
  }
};

describe('safeDownload: happy paths (loopback allowed)', () => {
  it('saves the body into the cache with name, size and sniffed MIME', async () => {
    server = await startLoopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length });
      res.end(PNG);
    });
    const got = await safeDownload(`${server.url}/pics/cat.png?sig=secret`, cache, {
      maxBytes: 10_000,
      allowPrivate: true,
      timeoutMs: 5_000,
    });
    expect(got.name).toBe('cat.png');
    expect(got.mime).toBe('image/png');
    expect(got.bytes).toBe(PNG.length);
    expect(dirname(got.path)).toBe(cache.dir);
    expect(await readFile(got.path)).toEqual(PNG);
    expect((await stat(got.path)).mode & 0o777).toBe(0o600);
    expect((await stat(cache.dir)).mode & 0o777).toBe(0o700);
    // Only the final file remains: the temp file was renamed, not copied.
    expect(await cacheFiles()).toHaveLength(1);
  });

  it('adds the extension from the sniffed type when the URL has none, ignoring a generic Content-Type', async () => {
    server = await startLoopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(JPEG);
    });
    const got = await safeDownload(`${server.url}/files/download`, cache, {
      maxBytes: 10_000,
      allowPrivate: true,
    });
    expect(got).toMatchObject({ name: 'download.jpg', mime: 'image/jpeg', bytes: JPEG.length });
  });

  it('takes the RFC 5987 UTF-8 name from Content-Disposition over the URL', async () => {
    server = await startLoopback((_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="fallback.pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A%202024.pdf`,
      });
      res.end(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'));
    });
    const got = await safeDownload(`${server.url}/dl/123`, cache, { maxBytes: 10_000, allowPrivate: true });
    expect(got.name).toBe('报告 2024.pdf');
    expect(got.mime).toBe('application/pdf');
  });

  it('keeps a traversal name from Content-Disposition inside the cache', async () => {
    server = await startLoopback((_req, res) => {
      res.writeHead(200, { 'content-disposition': 'attachment; filename="../../../etc/passwd"' });
      res.end('root:x:0:0');
    });
    const got = await safeDownload(`${server.url}/x`, cache, { maxBytes: 10_000, allowPrivate: true });
    expect(got.name).toBe('passwd');
    expect(dirname(got.path)).toBe(cache.dir);
    expect(got.mime).toBe('application/octet-stream');
  });

  it('prefers the name the platform gave', async () => {
    server = await startLoopback((_req, res) => {
      res.writeHead(200, { 'content-disposition': 'attachment; filename="server.bin"' });
      res.end(PNG);
    });
    const got = await safeDownload(`${server.url}/x`, cache, {
      maxBytes: 10_000,
      allowPrivate: true,
      filename: 'holiday',
    });
    expect(got.name).toBe('holiday.png');
  });

  it('follows a relative redirect on the same host', async () => {
    server = await startLoopback((req, res) => {
      if (req.url === '/a') {
        res.writeHead(302, { location: '/b/photo.jpg' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(JPEG);
    });
    const got = await safeDownload(`${server.url}/a`, cache, { maxBytes: 10_000, allowPrivate: true });
    expect(got.name).toBe('photo.jpg');
    expect(server.hits.map((h) => h.path)).toEqual(['/a', '/b/photo.jpg']);
  });

  it('accepts a body of exactly maxBytes', async () => {
    const body = Buffer.alloc(4096, 1);
    server = await startLoopback((_req, res) => {
      res.writeHead(200);
      res.end(body);
    });
    const got = await safeDownload(`${server.url}/exact`, cache, { maxBytes: 4096, allowPrivate: true });
    expect(got.bytes).toBe(4096);
  });
});

describe('safeDownload: size cap', () => {
  it('refuses an oversize Content-Length before reading the body', async () => {
    server = await startLoopback((_req, res) => {
      // Headers only; the body never comes. Reading it would end in a timeout, not too_large.
      res.writeHead(200, { 'content-length': '1000000', 'content-type': 'video/mp4' });
      res.flushHeaders();
    });
    const error = await rejectionOf(
      safeDownload(`${server.url}/big.mp4`, cache, { maxBytes: 1000, allowPrivate: true, timeoutMs: 5_000 }),
    );
    expect(error.code).toBe('too_large');
    expect(error.message).toContain('1000000 bytes');
    expect(error.message).toContain('1000-byte limit');
    expect(await cacheFiles()).toEqual([]);
  });

  it('aborts a chunked body that grows past the cap and leaves no partial file', async () => {
    let chunksWritten = 0;
    server = await startLoopback(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < 50 && !res.destroyed; i++) {
        res.write(Buffer.alloc(1000, i));
        chunksWritten++;
        await pause(5);
      }
      res.end();
    });
    const error = await rejectionOf(
      safeDownload(`${server.url}/stream`, cache, { maxBytes: 2500, allowPrivate: true, timeoutMs: 5_000 }),
    );
    expect(error.code).toBe('too_large');
    expect(error.message).toContain('2500-byte limit');
    expect(error.message).toMatch(/\d+ bytes received/);
    expect(await cacheFiles()).toEqual([]);
    // The client hung up: the server did not get to push all 50 chunks.
    expect(chunksWritten).toBeLessThan(50);
  });
});

describe('safeDownload: HTTP failures, timeouts and cancellation', () => {
  it('maps statuses through adapterErrorFromHttpStatus, with Retry-After', async () => {
    server = await startLoopback((req, res) => {
      if (req.url === '/missing') res.writeHead(404);
      else if (req.url === '/slow-down') res.writeHead(429, { 'retry-after': '7' });
      else res.writeHead(503);
      res.end();
    });
    const opts = { maxBytes: 1000, allowPrivate: true };
    const notFound = await rejectionOf(safeDownload(`${server.url}/missing`, cache, opts));
    expect(notFound.code).toBe('not_found');
    expect(notFound.message).toContain('HTTP 404');
    const limited = await rejectionOf(safeDownload(`${server.url}/slow-down`, cache, opts));
    expect(limited).toMatchObject({ code: 'rate_limited', retryAfterMs: 7000, retryable: true });
    const down = await rejectionOf(safeDownload(`${server.url}/down`, cache, opts));
    expect(down).toMatchObject({ code: 'server_error', retryable: true });
  });

  it('bounds the whole download with timeoutMs and reports a retryable network error', async () => {
    server = await startLoopback(() => {
      // Never answers.
    });
    const error = await rejectionOf(
      safeDownload(`${server.url}/hang`, cache, { maxBytes: 1000, allowPrivate: true, timeoutMs: 200 }),
    );
    expect(error.code).toBe('network');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('timed out after 200 ms');
  });

  it('stops on the caller signal mid-body and removes the partial file', async () => {
    const control = new AbortController();
    server = await startLoopback((_req, res) => {
      res.writeHead(200);
      res.write(Buffer.alloc(100, 1));
      // ...and the rest never comes; the caller gives up.
      setTimeout(() => control.abort(), 50);
    });
    const error = await rejectionOf(
      safeDownload(`${server.url}/stall`, cache, {
        maxBytes: 10_000,
        allowPrivate: true,
        timeoutMs: 5_000,
        signal: control.signal,
      }),
    );
    expect(error.code).toBe('aborted');
    expect(await cacheFiles()).toEqual([]);
  });

  it('reports a connection reset mid-body as a retryable network error and leaves no file', async () => {
    server = await startLoopback((_req, res) => {
      res.writeHead(200, { 'content-length': '5000' });
      res.write(Buffer.alloc(100, 1), () => res.socket?.destroy());
    });
    const error = await rejectionOf(
      safeDownload(`${server.url}/reset`, cache, { maxBytes: 10_000, allowPrivate: true, timeoutMs: 5_000 }),
    );
    expect(error.code).toBe('network');
    expect(error.retryable).toBe(true);
    expect(await cacheFiles()).toEqual([]);
  });
});

describe('safeDownload: URLs, schemes and redirects', () => {
  it.each([
    ['file:///etc/passwd', 'file'],
    ['ftp://example.com/a.png', 'ftp'],
    ['data:text/plain,hello', 'data'],
    ['javascript:alert(1)', 'javascript'],
    ['gopher://example.com/', 'gopher'],
  ])('refuses %s naming the scheme', async (url, scheme) => {
    const error = await rejectionOf(safeDownload(url, cache, { maxBytes: 1000 }));
    expect(error.code).toBe('media_refused');
    expect(error.message).toContain(`"${scheme}"`);
  });

  it('refuses text that is not a URL', async () => {
    const error = await rejectionOf(safeDownload('not a url', cache, { maxBytes: 1000 }));
    expect(error.code).toBe('media_refused');
  });

  it('refuses a redirect to a file: URL', async () => {
    server = await startLoopback((_req, res) => {
      res.writeHead(302, { location: 'file:///etc/passwd' });
      res.end();
    });
    const error = await rejectionOf(
      safeDownload(`${server.url}/r`, cache, { maxBytes: 1000, allowPrivate: true }),
    );
    expect(error.code).toBe('media_refused');
    expect(error.message).toContain('"file" (redirect target)');
  });

  it('caps a redirect loop at maxRedirects (5 by default)', async () => {
    server = await startLoopback((_req, res) => {
      res.writeHead(302, { location: '/loop' });
      res.end();
    });
    const error = await rejectionOf(
      safeDownload(`${server.url}/loop`, cache, { maxBytes: 1000, allowPrivate: true }),
    );
    expect(error.code).toBe('media_refused');
    expect(error.message).toContain('more than 5 times');
    expect(server.hits).toHaveLength(6);

    server.hits.length = 0;
    const strict = await rejectionOf(
      safeDownload(`${server.url}/loop`, cache, { maxBytes: 1000, allowPrivate: true, maxRedirects: 0 }),
    );
    expect(strict.message).toContain('more than 0 times');
    expect(server.hits).toHaveLength(1);
  });

  it('rejects nonsense options with config_invalid', async () => {
    const error = await rejectionOf(safeDownload('https://example.com/a', cache, { maxBytes: 0 }));
    expect(error.code).toBe('config_invalid');
  });

  it('never puts the path or query (which can hold tokens) into error messages', async () => {
    server = await startLoopback((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    const error = await rejectionOf(
      safeDownload(`${server.url}/file/bot123:SECRET/doc.pdf?token=SECRET`, cache, {
        maxBytes: 1000,
        allowPrivate: true,
      }),
    );
    expect(error.message).not.toContain('SECRET');
  });
});
