/** A request the undici path can send as is; anything else goes to the fallback fetch. */
export interface FastRequest {
  url: string;
  method: string;
  /** Flat name/value list, the form undici takes without re-parsing. */
  headers: string[];
  body: string | Uint8Array | undefined;
  signal: AbortSignal | undefined;
  /** 'manual' hands a 3xx back; 'follow' re-sends it through the fallback, which follows. */
  redirect: 'follow' | 'manual';
}

// fetch upper-cases these (and only these) whatever case they come in.
const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

function methodOf(raw: string | undefined): string {
  if (!raw) return 'GET';
  const upper = raw.toUpperCase();
  return NORMALISED_METHODS.has(upper) ? upper : raw;
}

function urlOf(input: string | URL | Request): string | undefined {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
  return url?.startsWith('http://') || url?.startsWith('https://') ? url : undefined;
}

/** Bytes and strings only: streams, forms, blobs and search params keep fetch's own encoding. */
function bodyOf(body: RequestInit['body']): FastRequest['body'] | null {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  return null;
}

function flatHeaders(init: RequestInit['headers']): string[] {
  const flat: string[] = [];
  if (!init) return flat;
  if (init instanceof Headers) {
    for (const [name, value] of init) flat.push(name, value);
  } else if (Array.isArray(init)) {
    for (const pair of init) {
      if (pair.length !== 2) throw new TypeError('Headers pairs must have a name and a value');
      flat.push(String(pair[0]), String(pair[1]));
    }
  } else {
    for (const name of Object.keys(init)) flat.push(name, String(init[name as keyof typeof init]));
  }
  return flat;
}

function hasHeader(flat: readonly string[], name: string): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i]?.toLowerCase() === name) return true;
  return false;
}

/**
 * The parts of a fetch call the undici path sends, or undefined when the call needs fetch's own handling:
 * a Request object, a non-HTTP URL, a body that is not a string or bytes, a body on GET/HEAD (fetch's
 * TypeError), or `redirect: 'error'`.
 */
export function fastRequestParts(
  input: string | URL | Request,
  init: RequestInit = {},
): FastRequest | undefined {
  const url = urlOf(input);
  const body = bodyOf(init.body);
  const method = methodOf(init.method);
  const redirect = init.redirect ?? 'follow';
  if (url === undefined || body === null || redirect === 'error') return undefined;
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) return undefined;
  const headers = flatHeaders(init.headers);
  // fetch labels a string body as text unless told otherwise; the server may rely on it.
  if (typeof body === 'string' && !hasHeader(headers, 'content-type'))
    headers.push('content-type', 'text/plain;charset=UTF-8');
  return { url, method, headers, body, signal: init.signal ?? undefined, redirect };
}
