import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelFetchAbortError, ModelFetchError } from './fetch-errors.js';
import { type LoopbackServer, startServer, within } from './loopback-servers.js';
import { createModelFetch, type ModelFetch } from './model-fetch.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

function track<T extends { close(): Promise<void> }>(thing: T): T {
  open.push(thing);
  return thing;
}

function transport(options?: Parameters<typeof createModelFetch>[0]): ModelFetch {
  return track(createModelFetch(options));
}

async function serve(handler: Parameters<typeof startServer>[0]): Promise<LoopbackServer> {
  return track(await startServer(handler));
}

/** A promise and the function that settles it, for a server that waits on the test. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

async function readChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const { value } = await within(reader.read(), 5000, 'body chunk');
  return new TextDecoder().decode(value);
}

describe('createModelFetch: requests', () => {
  it('sends the method, body and headers in every HeadersInit form, labelling a bare string body as text', async () => {
    const seen: Array<{ method?: string; headers: Record<string, unknown>; body: string }> = [];
    const server = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body });
        res.end('ok');
      });
    });
    const { fetch } = transport();
    await fetch(`${server.url}/a`, {
      method: 'post',
      headers: new Headers({ 'content-type': 'application/json', 'x-one': '1' }),
      body: '{"a":1}',
    });
    await fetch(new URL(`${server.url}/b`), { method: 'PUT', headers: [['X-Two', '2']], body: 'plain' });
    await fetch(`${server.url}/c`, {
      method: 'POST',
      headers: { 'x-three': '3', 'content-type': 'application/octet-stream' },
      body: new Uint8Array([104, 105]),
    });
    expect(seen.map((s) => [s.method, s.body])).toEqual([
      ['POST', '{"a":1}'],
      ['PUT', 'plain'],
      ['POST', 'hi'],
    ]);
    expect(seen[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-one': '1',
      'content-length': '7',
    });
    expect(seen[1]?.headers).toMatchObject({ 'x-two': '2', 'content-type': 'text/plain;charset=UTF-8' });
    expect(seen[2]?.headers).toMatchObject({ 'x-three': '3', 'content-type': 'application/octet-stream' });
  });

  it('keeps connections alive across sequential requests', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    const { fetch } = transport();
    for (let i = 0; i < 10; i++) expect(await (await fetch(server.url)).text()).toBe('ok');
    // undici marks a connection free a tick after its body ends, so a request sent at once opens a
    // second one; from then on the two are reused.
    expect(server.connections).toBeLessThanOrEqual(2);
  });

  it('hands form and stream bodies to fetch, which encodes them as before', async () => {
    const seen: Array<{ type?: string; body: string }> = [];
    const server = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        seen.push({ type: req.headers['content-type'], body });
        res.end('ok');
      });
    });
    const { fetch } = transport();
    const form = new FormData();
    form.append('purpose', 'fine-tune');
    await fetch(server.url, { method: 'POST', body: form });
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('streamed body'));
        c.close();
      },
    });
    await fetch(server.url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(seen[0]?.type).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen[0]?.body).toContain('fine-tune');
    expect(seen[1]?.body).toBe('streamed body');
  });
});

describe('createModelFetch: responses', () => {
  it('keeps status, repeated headers, retry-after and x-request-id', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(429, 'Too Many Requests', [
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
        ['x-multi', 'one'],
        ['x-multi', 'two'],
        ['retry-after', '3'],
        ['x-request-id', 'req_123'],
        ['content-type', 'application/json'],
      ]);
      res.end('{"error":{"message":"slow down"}}');
    });
    const response = await transport().fetch(server.url);
    expect(response.status).toBe(429);
    expect(response.ok).toBe(false);
    expect(response.statusText).toBe('Too Many Requests');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(response.headers.get('x-multi')).toBe('one, two');
    expect(response.headers.get('retry-after')).toBe('3');
    expect(response.headers.get('x-request-id')).toBe('req_123');
    expect(response.url).toBe(server.url);
    expect(await response.json()).toEqual({ error: { message: 'slow down' } });
  });

  it('delivers a streamed body chunk by chunk, before the server ends it', async () => {
    const second = gate();
    const server = await serve(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      await second.opened;
      res.end('data: two\n\n');
    });
    const response = await transport().fetch(server.url);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await readChunk(reader)).toBe('data: one\n\n');
    second.open();
    expect(await readChunk(reader)).toBe('data: two\n\n');
    expect((await within(reader.read(), 5000, 'end')).done).toBe(true);
  });

  it('streams a body with a declared length too when buffering is off', async () => {
    const server = await serve((_req, res) => res.end('{"whole":true}'));
    const buffered = await transport().fetch(server.url);
    const streamed = await transport({ bufferLimitBytes: 0 }).fetch(server.url);
    expect(await buffered.json()).toEqual({ whole: true });
    expect(await streamed.json()).toEqual({ whole: true });
  });

  it('undoes gzip content coding, as fetch does', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync('{"zipped":true}'));
    });
    expect(await (await transport().fetch(server.url)).json()).toEqual({ zipped: true });
  });

  it('gives a 204 no body', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const response = await transport().fetch(server.url, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it("follows a redirect like fetch, and hands it back with redirect: 'manual'", async () => {
    const server = await serve((req, res) => {
      if (req.url === '/moved') {
        res.writeHead(307, { location: '/here' });
        res.end();
      } else res.end(`at ${req.url} by ${req.method}`);
    });
    const { fetch } = transport();
    expect(await (await fetch(`${server.url}/moved`, { method: 'POST', body: 'x' })).text()).toBe(
      'at /here by POST',
    );
    const manual = await fetch(`${server.url}/moved`, { redirect: 'manual' });
    expect(manual.status).toBe(307);
    expect(manual.headers.get('location')).toBe('/here');
  });
});

describe('createModelFetch: failures and aborts', () => {
  it('rejects an already aborted call without sending it', async () => {
    let requests = 0;
    const server = await serve((_req, res) => {
      requests++;
      res.end();
    });
    const reason = new Error('stop');
    const call = transport().fetch(server.url, { signal: AbortSignal.abort(reason) });
    await expect(call).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR', cause: reason });
    expect(requests).toBe(0);
  });

  it('aborts a call waiting for headers, and the server sees the connection go', async () => {
    const arrived = gate();
    const gone = gate();
    const server = await serve((req) => {
      arrived.open();
      req.socket.once('close', gone.open);
    });
    const controller = new AbortController();
    const call = transport().fetch(server.url, { signal: controller.signal });
    await within(arrived.opened, 5000, 'request at the server');
    controller.abort();
    const error = await within(
      call.then(
        () => undefined,
        (e: unknown) => e,
      ),
      5000,
      'abort',
    );
    expect(error).toBeInstanceOf(ModelFetchAbortError);
    expect(error).toMatchObject({ name: 'AbortError' });
    await within(gone.opened, 5000, 'server-side close');
  });

  it('aborts mid-body: the next read fails with an AbortError and the connection closes', async () => {
    const gone = gate();
    const server = await serve((req, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      req.socket.once('close', gone.open);
    });
    const controller = new AbortController();
    const response = await transport().fetch(server.url, { signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await readChunk(reader)).toBe('data: first\n\n');
    controller.abort();
    await expect(within(reader.read(), 5000, 'read after abort')).rejects.toMatchObject({
      name: 'AbortError',
    });
    await within(gone.opened, 5000, 'server-side close');
  });

  it('aborts while a short body with a declared length is being read whole', async () => {
    const gone = gate();
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
      req.socket.once('close', gone.open);
    });
    const controller = new AbortController();
    const call = transport().fetch(server.url, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(within(call, 5000, 'abort')).rejects.toBeInstanceOf(ModelFetchAbortError);
    await within(gone.opened, 5000, 'server-side close');
  });

  it('cancelling the body closes the connection', async () => {
    const gone = gate();
    const server = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      req.socket.once('close', gone.open);
    });
    const response = await transport().fetch(server.url);
    await (response.body as ReadableStream<Uint8Array>).cancel();
    await within(gone.opened, 5000, 'server-side close');
  });

  it('turns a refused connection into fetch\'s TypeError("fetch failed") with the cause', async () => {
    const server = await startServer(() => {});
    const url = server.url;
    await server.close();
    const error = await transport()
      .fetch(url)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ModelFetchError);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({
      message: 'fetch failed',
      code: 'MODEL_FETCH_FAILED',
      cause: { code: 'ECONNREFUSED' },
    });
  });

  it('a body cut off by the server fails the read with "terminated"', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n', () => res.socket?.destroy());
    });
    const response = await transport().fetch(server.url);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const reads = (async () => {
      for (;;) if ((await reader.read()).done) return undefined;
    })();
    await expect(within(reads, 5000, 'reads')).rejects.toMatchObject({
      message: 'terminated',
      code: 'MODEL_FETCH_TERMINATED',
    });
  });
});

describe('createModelFetch: process lifetime', () => {
  it('an idle pooled connection does not hold the process open', async () => {
    // The server lives in another process, so the only sockets here are the transport's.
    const child = spawn(
      process.execPath,
      [
        '-e',
        "require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port) })",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    track({
      close: async () => {
        if (child.exitCode === null) {
          child.kill();
          await once(child, 'exit');
        }
      },
    });
    const [line] = (await within(once(child.stdout, 'data'), 5000, 'child server port')) as [Buffer];
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    const before = sockets();
    const { fetch } = transport();
    expect(await (await fetch(`http://127.0.0.1:${line.toString().trim()}/`)).text()).toBe('ok');
    // The connection stays open (kept alive) but unref'd: it no longer counts as keeping Node alive.
    // undici unrefs it once the request is done, which may be a tick after the body ends.
    const deadline = Date.now() + 2000;
    while (sockets() !== before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(sockets()).toBe(before);
  });
});
