import type { IncomingMessage } from 'node:http';

export type BodyReadResult =
  | { kind: 'ok'; body: Buffer }
  | { kind: 'too_large'; limit: number }
  | { kind: 'aborted' }
  | { kind: 'timeout' };

/**
 * Reads a request body, giving up as soon as it passes `limit` bytes (by the declared
 * Content-Length or by what actually arrived) so an oversized upload never sits in memory.
 */
export function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<BodyReadResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ kind: 'too_large', limit });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyReadResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('aborted', onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish({ kind: 'too_large', limit });
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ kind: 'ok', body: Buffer.concat(chunks, size) });
    const onAbort = () => finish({ kind: 'aborted' });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    timer.unref();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('aborted', onAbort);
  });
}

/**
 * After answering early (413), the rest of the upload is discarded rather than read, and the socket
 * is closed if the client keeps sending: the response is already on its way.
 */
export function discardRest(req: IncomingMessage, graceMs = 2000): void {
  if (req.complete) return;
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), graceMs);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
}
