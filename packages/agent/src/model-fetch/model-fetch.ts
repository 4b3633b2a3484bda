import { type Dispatcher, EnvHttpProxyAgent, request } from 'undici';
import { ModelFetchAbortError, ModelFetchError, transportFailure } from './fetch-errors.js';
import { type FastRequest, fastRequestParts } from './request-parts.js';
import { declaredLength, decodedBody, headerPairs, isEncoded, streamedBody } from './response-body.js';

/** The fetch signature the openai client takes (`new OpenAI({ fetch })`). */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface ModelFetchOptions {
  /**
   * A response that declares a length up to this many bytes is read whole before the Response is made
   * (one buffer instead of a web stream per call); longer, chunked and compressed bodies stream.
   * Default 1 MiB; 0 streams every body.
   */
  bufferLimitBytes?: number;
}

export interface ModelFetch {
  readonly fetch: FetchFunction;
  /** Closes the pooled connections once running requests end. Idle connections never hold the process open. */
  close(): Promise<void>;
}

const DEFAULT_BUFFER_LIMIT = 1024 * 1024;
// Statuses fetch gives no body; `new Response` refuses one for them.
const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);
// `new Response` throws on a status text outside the reason-phrase characters; such a text is dropped.
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;

function isInvalidArgument(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'UND_ERR_INVALID_ARG';
}

async function responseFrom(data: Dispatcher.ResponseData, parts: FastRequest, bufferLimit: number) {
  const { statusCode, headers } = data;
  if (statusCode > 599) {
    data.body.destroy();
    throw new ModelFetchError('MODEL_FETCH_FAILED', new RangeError(`invalid HTTP status ${statusCode}`));
  }
  let body: Uint8Array | ReadableStream<Uint8Array> | null;
  const length = declaredLength(headers);
  if (NULL_BODY_STATUS.has(statusCode) || parts.method === 'HEAD') {
    body = null;
    data.body.dump().catch(() => {});
  } else if (length !== undefined && length <= bufferLimit && !isEncoded(headers)) {
    try {
      body = await data.body.bytes();
    } catch (error) {
      throw transportFailure(error, parts.signal, 'MODEL_FETCH_TERMINATED');
    }
  } else {
    body = streamedBody(decodedBody(data.body, headers), parts.signal);
  }
  let response: Response;
  try {
    response = new Response(body, {
      status: statusCode,
      ...(data.statusText && REASON_PHRASE.test(data.statusText) ? { statusText: data.statusText } : {}),
      headers: headerPairs(headers),
    });
  } catch (error) {
    // A header value Headers refuses: free the connection rather than leave its body unread.
    data.body.destroy();
    throw new ModelFetchError('MODEL_FETCH_FAILED', error);
  }
  // Only the client's debug logs read it, but fetch always sets it.
  Object.defineProperty(response, 'url', { value: parts.url });
  return response;
}

/**
 * A fetch for the openai client built on undici's `request()`: a keep-alive pool and plain Node streams
 * instead of fetch's Request/Response/web-stream machinery on the way out (`pnpm bench` measures it).
 * The dispatcher is undici's EnvHttpProxyAgent, so HTTP_PROXY / HTTPS_PROXY / NO_PROXY apply (Node's own
 * fetch ignores them unless NODE_USE_ENV_PROXY is set). Its own header and body timeouts are off: the
 * client's `timeout` and the caller's signal decide when to give up.
 *
 * Calls it does not handle itself (a stream, form or blob body, a Request object, a redirect to follow,
 * `redirect: 'error'`) go to Node's fetch with the same dispatcher, so they behave exactly as before.
 */
export function createModelFetch(options: ModelFetchOptions = {}): ModelFetch {
  const bufferLimit = options.bufferLimitBytes ?? DEFAULT_BUFFER_LIMIT;
  const dispatcher = new EnvHttpProxyAgent({ headersTimeout: 0, bodyTimeout: 0 });
  // Node's fetch (undici 6 on Node 22) drives this undici 7 dispatcher fine; only the types differ.
  const sameDispatcher = dispatcher as unknown as RequestInit['dispatcher'];
  const fallback: FetchFunction = (input, init) =>
    globalThis.fetch(input, { ...init, dispatcher: sameDispatcher });

  const fetch: FetchFunction = async (input, init) => {
    const parts = fastRequestParts(input, init);
    if (!parts) return fallback(input, init);
    const { signal } = parts;
    if (signal?.aborted) throw new ModelFetchAbortError(signal.reason);
    let data: Dispatcher.ResponseData;
    try {
      data = await request(parts.url, {
        dispatcher,
        method: parts.method as Dispatcher.HttpMethod,
        headers: parts.headers,
        body: parts.body,
        signal,
      });
    } catch (error) {
      // undici refuses some headers fetch allows, before anything is sent: let fetch have the call.
      if (isInvalidArgument(error) && !signal?.aborted) return fallback(input, init);
      throw transportFailure(error, signal, 'MODEL_FETCH_FAILED');
    }
    if (parts.redirect === 'follow' && REDIRECT_STATUS.has(data.statusCode) && data.headers.location) {
      // The API does not redirect; if a proxy or mirror does, fetch follows it by the spec's rules.
      await data.body.dump().catch(() => {});
      return fallback(input, init);
    }
    return responseFrom(data, parts, bufferLimit);
  };

  return { fetch, close: () => dispatcher.close() };
}
