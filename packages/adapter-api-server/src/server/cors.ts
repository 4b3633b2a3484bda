import type { IncomingMessage, ServerResponse } from 'node:http';

export type CorsDecision = 'no_origin' | 'same_origin' | 'allowed' | 'denied';

const EXPOSED_HEADERS = 'X-Hermes-Session-Id';
const DEFAULT_ALLOWED_HEADERS = 'Authorization, Content-Type, X-Hermes-Session-Id, X-Hermes-Session-Key';

/**
 * True when the Origin names the very server the request reached (the chat page calling its own API; browsers
 * send Origin on a same-origin POST too). Sound only after the Host check: a rebinding page's Host is refused
 * there, so an Origin equal to an accepted Host belongs to a page this server itself served. `https:` is
 * accepted for a TLS reverse proxy that forwards its public name as Host.
 */
function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.origin !== origin.toLowerCase().replace(/\/$/, '')) return false;
  return url.host === host.toLowerCase();
}

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
  if (isSameOrigin(origin, req.headers.host)) return 'same_origin';
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
