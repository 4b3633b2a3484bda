import { AdapterError } from '../errors.js';

const ALLOWED_SCHEMES = new Set(['http:', 'https:']);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * Parses a media URL (relative ones against `base`, as a redirect Location may be) and refuses any
 * scheme but http and https: `file:`, `data:`, `ftp:`, `gopher:` and friends reach places a chat
 * message must not.
 */
export function parseMediaUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(text, base);
  } catch {
    throw new AdapterError(
      'media_refused',
      `media URL is not a valid URL: ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
  if (!ALLOWED_SCHEMES.has(url.protocol)) {
    const where = base ? ' (redirect target)' : '';
    throw new AdapterError(
      'media_refused',
      `media URL scheme "${url.protocol.replace(/:$/, '')}"${where} is not allowed; only http and https are`,
    );
  }
  if (url.hostname === '') throw new AdapterError('media_refused', 'media URL has no host');
  return url;
}

/**
 * Headers for the first request, with lower-case names. Credentials written into the URL
 * (`https://user:pass@host/`) become Basic auth, because Node would otherwise drop them silently.
 * Compression is refused so the size cap counts the bytes that land on disk.
 */
export function requestHeaders(url: URL, extra: Record<string, string> | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  for (const [name, value] of Object.entries(extra ?? {})) headers[name.toLowerCase()] = value;
  if ((url.username || url.password) && headers['authorization'] === undefined) {
    const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers['authorization'] = `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  return headers;
}

/** Headers for the next hop: credentials are not sent on to another origin (scheme, host or port). */
export function redirectHeaders(headers: Record<string, string>, from: URL, to: URL): Record<string, string> {
  if (from.origin === to.origin) return headers;
  const next = { ...headers };
  for (const name of CREDENTIAL_HEADERS) delete next[name];
  return next;
}
