import { STATUS_CODES } from 'node:http';
import { DefaultRestOptions, type ResponseLike } from 'discord.js';
import type { Dispatcher, RequestInit } from 'undici';

/** What @discordjs/rest calls to put one request on the wire (its `makeRequest` option). */
export type RestTransport = (url: string, init: RequestInit) => Promise<ResponseLike>;

/**
 * Paths the URL parser hands back exactly as written: no dot segments (`%2e` counts as a dot there),
 * nothing it would escape or rewrite, no query. Message, reaction and typing routes are all of this form.
 */
const PLAIN_PATH = /^\/(?:[\w/-]|%(?![2][eE])[\dA-Fa-f]{2})*$/;

/**
 * @discordjs/rest's own transport, without the two steps that cost most per request: it parsed every
 * URL again (the origin is always the configured API's) and copied every answer's headers into a fetch
 * `Headers` object it only ever asks `get`/`has` of. Requests go to the same undici dispatcher with the
 * same options, so errors, aborts and timeouts are undici's own as before. Anything else (multipart
 * uploads, unusual paths, another host) goes through the default transport unchanged.
 */
export function createRestTransport(apiBase: string): RestTransport {
  const origin = new URL(apiBase).origin;
  return async (url, init) => {
    const path = url.startsWith(origin) ? url.slice(origin.length) : '';
    const { dispatcher, body, headers } = init;
    if (
      dispatcher === undefined ||
      !PLAIN_PATH.test(path) ||
      !(body === null || body === undefined || typeof body === 'string') ||
      !isPlainRecord(headers)
    ) {
      return DefaultRestOptions.makeRequest(url, init);
    }
    const method = (init.method || (body ? 'PUT' : 'GET')) as Dispatcher.HttpMethod;
    const res = await dispatcher.request({
      ...(init as Dispatcher.RequestOptions),
      origin,
      path,
      method,
      body: body ?? null,
      headers,
    });
    return responseOf(res);
  };
}

function isPlainRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function responseOf(res: Dispatcher.ResponseData): ResponseLike {
  const { body, statusCode } = res;
  return {
    body,
    arrayBuffer: () => body.arrayBuffer(),
    json: () => body.json(),
    text: () => body.text(),
    get bodyUsed() {
      return body.bodyUsed;
    },
    // Only get/has are read (rate-limit headers, content type); see AnswerHeaders.
    headers: new AnswerHeaders(res.headers) as unknown as ResponseLike['headers'],
    status: statusCode,
    // As the default transport: undefined for a code node:http has no name for (HTTPError shows it).
    statusText: STATUS_CODES[statusCode] as string,
    ok: statusCode >= 200 && statusCode < 300,
  };
}

/**
 * The read side of the `Headers` the default transport built from undici's parsed answer headers (names
 * already lower-case, a repeated header as an array): case-insensitive lookups, and a repeated header's
 * values joined by "," as `new Headers(record)` turns an array into a string.
 */
export class AnswerHeaders {
  readonly #raw: Record<string, string | string[] | undefined>;

  constructor(raw: Record<string, string | string[] | undefined>) {
    this.#raw = raw;
  }

  get(name: string): string | null {
    const value = this.#raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(',') : value;
  }

  has(name: string): boolean {
    return this.#raw[name.toLowerCase()] !== undefined;
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this.entries()) callback(value, name);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.#raw).sort()) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}
