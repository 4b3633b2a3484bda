import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { transportFailure } from './fetch-errors.js';

// Queue up to this much ahead of the reader before pausing the socket: one pause per chunk costs CPU
// on every SSE event, while the SDK reads as fast as chunks come.
const QUEUE_BYTES = 64 * 1024;

/** undici's headers object: lower-case names, repeated headers as arrays. */
export type RawHeaders = Record<string, string | string[] | undefined>;

function single(headers: RawHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Name/value pairs for `new Response`; a repeated header (set-cookie, link…) stays repeated. */
export function headerPairs(headers: RawHeaders): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) pairs.push([name, v]);
    else pairs.push([name, value]);
  }
  return pairs;
}

const DECODERS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * The body with its content codings undone, as fetch does. We do not ask for compression, but a
 * server may use it anyway; a coding we do not know leaves the bytes as they came (fetch does the same).
 */
export function decodedBody(body: Readable, headers: RawHeaders): Readable {
  const codings = (single(headers, 'content-encoding') ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0 || codings.some((c) => !DECODERS[c])) return body;
  const decoders = codings.reverse().map((c) => (DECODERS[c] as () => NodeJS.ReadWriteStream)());
  // pipeline destroys every stage on failure, so an abort of `body` reaches the reader as an error.
  return pipeline([body, ...decoders], () => {}) as unknown as Readable;
}

export function isEncoded(headers: RawHeaders): boolean {
  const coding = single(headers, 'content-encoding');
  return coding !== undefined && coding.trim().toLowerCase() !== 'identity' && coding.trim() !== '';
}

/** The declared length, when the response has one and it is a plain number. */
export function declaredLength(headers: RawHeaders): number | undefined {
  const raw = single(headers, 'content-length');
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/**
 * A web stream fed by the socket as data arrives (SSE chunks reach the SDK one by one). Cancelling it
 * (the SDK does when it stops reading) destroys the body, which closes that connection; an abort of the
 * signal errors it with an AbortError, a broken connection with fetch's "terminated".
 */
export function streamedBody(body: Readable, signal: AbortSignal | undefined): ReadableStream<Uint8Array> {
  let cancelled = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // After a cancel the controller is closed: a late event must not touch it.
        let settled = false;
        body.on('data', (chunk: Buffer) => {
          if (settled) return;
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 0) <= 0) body.pause();
        });
        body.once('end', () => {
          if (!settled) controller.close();
          settled = true;
        });
        body.once('error', (error) => {
          if (!settled) controller.error(transportFailure(error, signal, 'MODEL_FETCH_TERMINATED'));
          settled = true;
        });
        cancelled = () => {
          settled = true;
        };
      },
      pull() {
        if (body.isPaused()) body.resume();
      },
      cancel() {
        cancelled();
        body.destroy();
      },
    },
    { highWaterMark: QUEUE_BYTES, size: (chunk) => chunk.byteLength },
  );
}
