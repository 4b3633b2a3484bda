import type { IncomingMessage } from 'node:http';

// Only the path is wanted; this origin is never contacted or shown.
const PLACEHOLDER_ORIGIN = 'http://request.invalid';

// RFC 3986 `path-absolute` characters: unreserved, sub-delims, ':', '@', '/', and valid %XX escapes.
const ORIGIN_FORM_PATH = /^(?:\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})*)+$/;

/**
 * The path of a request's target (dot segments resolved, no query), or undefined when the target is not
 * a valid path (`/…` of RFC 3986 characters) nor an absolute http(s) URL: the caller answers 400. Never
 * throws: `new URL(req.url, base)` throws on targets such as `//[::1` (read as a host), which a server
 * turned into a 500. A path that starts with `//` stays a path; it is never read as a host.
 */
export function requestPath(req: Pick<IncomingMessage, 'url'>): string | undefined {
  const target = req.url ?? '';
  try {
    if (target.startsWith('/')) {
      const end = target.search(/[?#]/);
      const path = end < 0 ? target : target.slice(0, end);
      if (!ORIGIN_FORM_PATH.test(path)) return undefined;
      return new URL(`${PLACEHOLDER_ORIGIN}${path}`).pathname;
    }
    const absolute = new URL(target);
    return absolute.protocol === 'http:' || absolute.protocol === 'https:' ? absolute.pathname : undefined;
  } catch {
    return undefined;
  }
}
