import type { IncomingMessage } from 'node:http';
import type { MediaCacheLike } from '../contract.js';
import { AdapterError, adapterErrorFromHttpStatus, toAdapterError } from '../errors.js';
import { raceAbort } from '../race-abort.js';
import { type MediaAddressAllowRule, type MediaLookup, vetHost } from './address-guard.js';
import { openHop } from './http-hop.js';
import { parseMediaUrl, redirectHeaders, requestHeaders } from './media-url.js';
import { saveResponse } from './save-response.js';

export type { MediaAddressAllowRule, MediaLookup, ResolvedAddress } from './address-guard.js';

/** Redirects followed by default before giving up. */
export const DEFAULT_MAX_REDIRECTS = 5;
/** Whole-download bound by default (all hops, headers and body). */
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 60_000;
/** TCP connect bound by default, per hop. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface SafeDownloadOptions {
  /** Hard size cap in bytes, enforced on Content-Length and again while the body streams. */
  maxBytes: number;
  /**
   * Let the download reach private, loopback and link-local addresses. Off by default; set it from
   * `mediaAllowPrivateFromEnv(env)` (HERMES_MEDIA_ALLOW_PRIVATE) or for loopback test servers.
   */
  allowPrivate?: boolean;
  /**
   * A narrower exception than `allowPrivate`: called for each private answer (with the host name that
   * produced it) and allowing just the pairs it returns true for. It exists so one trusted internal
   * host can be reached without opening every private address, and so tests can admit a named
   * loopback host while the guard keeps refusing every other private target (a redirect to another
   * host, an IP literal). Ignored when `allowPrivate` is true.
   */
  isAllowedAddress?: MediaAddressAllowRule;
  /** Bound on the whole download, redirects included. Default 60 s. */
  timeoutMs?: number;
  /** Bound on each TCP connect. Default 10 s (or `timeoutMs` when smaller). */
  connectTimeoutMs?: number;
  /** Redirects to follow; each hop is checked again. Default 5. */
  maxRedirects?: number;
  /**
   * Extra request headers (e.g. a bearer token). `Authorization`, `Cookie` and `Proxy-Authorization`
   * are dropped when a redirect leaves the original origin, so a token is not handed to a CDN or an
   * attacker-chosen host.
   */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Resolver for host names; defaults to `dns.promises.lookup` with every answer. */
  lookup?: MediaLookup;
  /** The file name the platform already gave the attachment; wins over Content-Disposition and the URL. */
  filename?: string;
}

/** A file the safe downloader saved into the media cache. */
export interface DownloadedMedia {
  /** Absolute path inside the cache directory. */
  path: string;
  bytes: number;
  /** From the file's magic bytes when recognised, else the server's Content-Type, else the name. */
  mime: string;
  /** Sanitised display name (without the cache's unique prefix), extension added from the MIME when missing. */
  name: string;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function checkOptions(o: SafeDownloadOptions): void {
  const positive = (v: number | undefined): boolean => v === undefined || (Number.isFinite(v) && v > 0);
  if (!Number.isFinite(o.maxBytes) || o.maxBytes <= 0) {
    throw new AdapterError('config_invalid', `safeDownload needs a positive maxBytes, got ${o.maxBytes}`);
  }
  if (!positive(o.timeoutMs) || !positive(o.connectTimeoutMs)) {
    throw new AdapterError(
      'config_invalid',
      'safeDownload timeouts must be positive numbers of milliseconds',
    );
  }
  const hops = o.maxRedirects;
  if (hops !== undefined && (!Number.isInteger(hops) || hops < 0)) {
    throw new AdapterError(
      'config_invalid',
      `safeDownload maxRedirects must be a whole number >= 0, got ${hops}`,
    );
  }
}

function retryAfterSeconds(res: IncomingMessage): number | undefined {
  const raw = res.headers['retry-after'];
  const seconds = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

async function followHops(
  first: URL,
  cache: MediaCacheLike,
  o: SafeDownloadOptions,
  signal: AbortSignal,
): Promise<DownloadedMedia> {
  const maxRedirects = o.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const connectTimeoutMs = Math.min(
    o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    o.timeoutMs ?? Infinity,
  );
  const policy = {
    allowPrivate: o.allowPrivate ?? false,
    isAllowedAddress: o.isAllowedAddress,
    lookup: o.lookup,
  };
  let url = first;
  let headers = requestHeaders(first, o.headers);
  for (let redirects = 0; ; redirects++) {
    // Every hop is resolved and vetted again: a public host may redirect to an internal one.
    const vetted = await raceAbort(vetHost(url, policy), signal);
    const res = await openHop({ url, vetted, headers, signal, connectTimeoutMs });
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (REDIRECT_STATUSES.has(status) && location) {
      res.destroy();
      if (redirects >= maxRedirects) {
        throw new AdapterError(
          'media_refused',
          `media download from ${first.origin} was redirected more than ${maxRedirects} times; giving up`,
        );
      }
      const next = parseMediaUrl(location, url);
      headers = redirectHeaders(headers, url, next);
      url = next;
      continue;
    }
    if (status < 200 || status >= 300) {
      res.destroy();
      const retryAfter = retryAfterSeconds(res);
      throw adapterErrorFromHttpStatus(
        status,
        `media download from ${url.origin} failed with HTTP ${status}`,
        retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter },
      );
    }
    return saveResponse(res, { first, last: url, cache, maxBytes: o.maxBytes, signal, filename: o.filename });
  }
}

/**
 * Downloads a URL into the media cache without letting the URL reach places it must not:
 * http(s) only; every host (and every redirect hop) resolved and refused if any answer is private,
 * loopback, link-local and so on, unless allowed; the socket pinned to the vetted addresses so DNS
 * rebinding cannot swap them; a size cap checked on Content-Length and while streaming (a partial file
 * is removed); connect and total timeouts. The body goes to a temp file in the cache and is renamed
 * once complete, under a sanitised name with an extension that matches the sniffed MIME type.
 *
 * Errors are `AdapterError`s: `media_refused` (scheme, private address, too many redirects),
 * `too_large`, `network` (connect failure, reset, timeout: a GET is safe to repeat, so retryable),
 * `aborted`, or the HTTP status mapping of `adapterErrorFromHttpStatus`. Messages name the origin
 * only, never the path or query, which can carry tokens (Telegram puts the bot token in the path).
 */
export async function safeDownload(
  url: string,
  cache: MediaCacheLike,
  o: SafeDownloadOptions,
): Promise<DownloadedMedia> {
  checkOptions(o);
  const first = parseMediaUrl(url);
  const timeoutMs = o.timeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
  const control = new AbortController();
  const timer = setTimeout(() => {
    control.abort(
      new AdapterError('network', `media download from ${first.origin} timed out after ${timeoutMs} ms`, {
        retryable: true,
      }),
    );
  }, timeoutMs);
  const onCallerAbort = (): void =>
    control.abort(new AdapterError('aborted', 'media download was cancelled'));
  if (o.signal?.aborted) onCallerAbort();
  else o.signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    return await followHops(first, cache, o, control.signal);
  } catch (error) {
    if (error instanceof AdapterError) throw error;
    if (control.signal.aborted && control.signal.reason instanceof AdapterError) throw control.signal.reason;
    const wrapped = toAdapterError(error);
    // Whatever happened on the wire, a GET can be repeated without side effects.
    const retryable = wrapped.code === 'network' || wrapped.code === 'timeout_ambiguous';
    throw new AdapterError(
      retryable ? 'network' : wrapped.code,
      `media download from ${first.origin} failed: ${wrapped.message}`,
      {
        cause: error,
        retryable,
      },
    );
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onCallerAbort);
  }
}
