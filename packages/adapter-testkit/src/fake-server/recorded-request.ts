import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { RecordedFrame, RecordedRequest } from './types.js';

/** Reads the whole body, then freezes what the request looked like into a RecordedRequest. */
export async function recordRequest(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  return {
    method,
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body,
    text: () => body.toString('utf8'),
    json: <T>() => parseJson<T>(body, `${method} ${url.pathname}`),
    receivedAt: Date.now(),
  };
}

export function recordFrame(socket: WebSocket, path: string, data: Buffer, isBinary: boolean): RecordedFrame {
  return {
    socket,
    path,
    data,
    isBinary,
    text: () => data.toString('utf8'),
    json: <T>() => parseJson<T>(data, `WebSocket frame on ${path}`),
    receivedAt: Date.now(),
  };
}

function parseJson<T>(body: Buffer, where: string): T {
  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch (error) {
    const preview = body.toString('utf8').slice(0, 80);
    throw new Error(
      `${where}: body is not JSON (${(error as Error).message}); starts with ${JSON.stringify(preview)}`,
    );
  }
}

/** Short human listing used in timeout messages. */
export function describeRequests(requests: readonly RecordedRequest[], max = 10): string {
  if (requests.length === 0) return 'no requests';
  const shown = requests.slice(-max).map((r) => `${r.method} ${r.path}${r.status ? ` -> ${r.status}` : ''}`);
  const more = requests.length > max ? ` (last ${max} of ${requests.length})` : '';
  return `${requests.length} request(s)${more}: ${shown.join(', ')}`;
}
