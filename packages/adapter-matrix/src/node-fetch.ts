import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/**
 * A `fetch` for matrix-js-sdk that runs on the adapter's own keep-alive agents, so stop() can close every
 * socket at once (the global fetch pool keeps idle sockets open after the adapter is gone) and a server
 * that kills the long poll is seen as a network error straight away.
 */
export interface OwnedFetch {
  fetch: typeof globalThis.fetch;
  /** Destroys every socket, idle or busy; later calls fail with a network error. */
  destroy(): void;
}

const NO_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

async function bodyBytes(body: unknown): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer());
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  throw new TypeError(`unsupported request body type ${Object.prototype.toString.call(body)}`);
}

function headersOf(init: Headers | Record<string, string> | [string, string][] | undefined): Headers {
  return new Headers(init ?? {});
}

export function createOwnedFetch(): OwnedFetch {
  const http = new HttpAgent({ keepAlive: true, keepAliveMsecs: 10_000 });
  const https = new HttpsAgent({ keepAlive: true, keepAliveMsecs: 10_000 });
  let destroyed = false;
  const live = new Set<{ abort(error: Error): void }>();

  const ownFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (destroyed)
      throw Object.assign(new Error('connection closed: adapter stopped'), { code: 'ECONNRESET' });
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const headers = headersOf(init.headers as Record<string, string> | undefined);
    const body = await bodyBytes(init.body);
    if (body !== undefined) headers.set('content-length', String(body.length));
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Response>((resolve, reject) => {
      const req = send(url, {
        method: init.method ?? 'GET',
        headers: Object.fromEntries(headers.entries()),
        agent: url.protocol === 'https:' ? https : http,
      });
      const entry = {
        abort(error: Error) {
          req.destroy(error);
          reject(error);
        },
      };
      live.add(entry);
      const onAbort = () => {
        const reason: unknown = signal?.reason;
        entry.abort(reason instanceof Error ? reason : new DOMException('aborted', 'AbortError'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        live.delete(entry);
        signal?.removeEventListener('abort', onAbort);
      };
      req.on('error', (error) => {
        done();
        reject(error);
      });
      req.on('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 502;
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value === undefined) continue;
          for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
        }
        res.on('close', done);
        res.on('error', done);
        const stream = NO_BODY_STATUS.has(status)
          ? null
          : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
        if (stream === null) res.resume();
        resolve(
          new Response(stream, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }),
        );
      });
      req.end(body);
    });
  };

  return {
    fetch: ownFetch as typeof globalThis.fetch,
    destroy() {
      destroyed = true;
      for (const entry of live)
        entry.abort(Object.assign(new Error('adapter stopped'), { name: 'AbortError' }));
      live.clear();
      http.destroy();
      https.destroy();
    },
  };
}
