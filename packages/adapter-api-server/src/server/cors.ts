import type { IncomingMessage, ServerResponse } from 'node:http';

export type CorsDecision = 'no_origin' | 'allowed' | 'denied';

const EXPOSED_HEADERS = 'X-Hermes-Session-Id';
const DEFAULT_ALLOWED_HEADERS = 'Authorization, Content-Type, X-Hermes-Session-Id, X-Hermes-Session-Key';

/**
 * CORS only for the configured origins: an allowed origin gets the headers a browser needs, any other
 * origin gets none (so the browser blocks the page from reading the answer), and with no origins
 * configured the server never sends CORS headers at all.
 */
export function applyCors(
  req: IncomingMessage,
  res: ServerResponse,
  allowedOrigins: readonly string[],
): CorsDecision {
  const origin = req.headers.origin;
  if (origin === undefined) return 'no_origin';
  res.setHeader('Vary', 'Origin');
  const allowed = allowedOrigins.includes('*') || allowedOrigins.includes(origin);
  if (!allowed) return 'denied';
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  return 'allowed';
}

/** Answers an allowed preflight. Requested headers are echoed: the origin is trusted, and SDKs add their own. */
export function answerPreflight(req: IncomingMessage, res: ServerResponse): void {
  const requested = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Allow-Headers':
      requested && requested.length < 2000 ? requested : DEFAULT_ALLOWED_HEADERS,
    'Access-Control-Max-Age': '600',
    'Content-Length': '0',
  });
  res.end();
}
