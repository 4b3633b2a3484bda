import type { ServerResponse } from 'node:http';

/** Ends the response with a JSON body. */
export function respondJson(
  res: ServerResponse,
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(payload.length),
    ...headers,
  });
  res.end(payload);
}

/** Ends the response with a raw body (string, Buffer or JSON-encoded value). */
export function respondRaw(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { 'content-length': String(payload.length), ...headers });
    res.end(payload);
    return;
  }
  respondJson(res, body ?? { error: `status ${status}` }, status, headers);
}
