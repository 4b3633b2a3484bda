import {
  AdapterError,
  type ConnectionDrop,
  type Logger,
  type SupervisedConnection,
  toAdapterError,
} from '@hermes/adapter-core';
import { createParser } from 'eventsource-parser';
import { SIGNAL_PLATFORM } from './constants.js';

export interface SignalEventStreamOptions {
  baseUrl: string;
  account: string;
  /** Aborts the opening request (the supervisor's connect signal); the open stream ends with close(). */
  signal: AbortSignal;
  logger: Logger;
  /** Every `data` of a `receive` event, as text. */
  onData(data: string): void;
  /** Any sign of life on the stream: events and the daemon's keepalive comments. */
  onActivity(): void;
  /** Sent as Last-Event-ID: a server that numbers its events can resume after it (signal-cli does not). */
  lastEventId?: string | undefined;
  /** The id of each event once its data was handled. */
  onEventId?(id: string): void;
  /** An event too big for the parser's buffer (the daemon's events are small JSON). */
  maxEventChars?: number;
}

function openError(status: number, baseUrl: string, account: string): AdapterError {
  if (status === 400) {
    return new AdapterError(
      'config_invalid',
      `signal-cli has no account ${account} (HTTP 400 on /api/v1/events)`,
      {
        platform: SIGNAL_PLATFORM,
        fix: 'SIGNAL_ACCOUNT must be an account registered or linked in this daemon (signal-cli listAccounts).',
      },
    );
  }
  if (status === 404 || status === 405) {
    return new AdapterError('config_invalid', `${baseUrl} has no /api/v1/events (HTTP ${status})`, {
      platform: SIGNAL_PLATFORM,
      fix: 'Point SIGNAL_HTTP_URL at signal-cli started with `daemon --http` (signal-cli 0.13 or newer).',
    });
  }
  if (status === 421) {
    return new AdapterError('config_invalid', 'signal-cli refused our Host header (HTTP 421)', {
      platform: SIGNAL_PLATFORM,
      fix: 'signal-cli pins the Host header to the address it listens on: use that address in SIGNAL_HTTP_URL.',
    });
  }
  return new AdapterError(
    status >= 500 ? 'server_error' : 'protocol',
    `signal-cli /api/v1/events answered HTTP ${status}`,
    {
      platform: SIGNAL_PLATFORM,
      retryable: true,
    },
  );
}

/**
 * Opens `GET /api/v1/events` and pumps it through an SSE parser. Resolves once the daemon accepted the
 * stream (status and content type checked); `closed` settles when the stream ends, with the reason.
 */
export async function openSignalEventStream(
  options: SignalEventStreamOptions,
): Promise<SupervisedConnection> {
  const controller = new AbortController();
  const onConnectAbort = () => controller.abort(options.signal.reason);
  options.signal.addEventListener('abort', onConnectAbort, { once: true });
  const url = new URL('/api/v1/events', options.baseUrl);
  url.searchParams.set('account', options.account);
  let response: Response;
  try {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    response = await fetch(url, { headers, signal: controller.signal });
  } catch (error) {
    throw toAdapterError(error, SIGNAL_PLATFORM);
  } finally {
    options.signal.removeEventListener('abort', onConnectAbort);
  }
  const type = response.headers.get('content-type') ?? '';
  if (response.status !== 200 || !type.includes('text/event-stream') || response.body === null) {
    await response.body?.cancel().catch(() => {});
    if (response.status !== 200) throw openError(response.status, options.baseUrl, options.account);
    throw new AdapterError(
      'protocol',
      `signal-cli /api/v1/events answered ${type || 'no content type'}, not an event stream`,
      {
        platform: SIGNAL_PLATFORM,
        retryable: true,
      },
    );
  }

  let settle: (drop: ConnectionDrop) => void = () => {};
  const closed = new Promise<ConnectionDrop>((resolve) => {
    settle = resolve;
  });
  let ended = false;
  const end = (drop: ConnectionDrop) => {
    if (ended) return;
    ended = true;
    controller.abort(new AdapterError('aborted', drop.reason));
    settle(drop);
  };

  const parser = createParser({
    maxBufferSize: options.maxEventChars ?? 4 * 1024 * 1024,
    onComment: () => options.onActivity(),
    onEvent: (event) => {
      options.onActivity();
      // The daemon names its events `receive`; an unnamed event is treated the same.
      if (event.event === undefined || event.event === 'receive') {
        try {
          options.onData(event.data);
        } catch (error) {
          // A bug in one event's handling must not end the stream for every later event.
          options.logger.error('signal: handling an event threw', { error: toAdapterError(error).message });
        }
      }
      if (event.id !== undefined) options.onEventId?.(event.id);
    },
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') {
        end({
          reason: 'an event was larger than the parser buffer',
          error: new AdapterError('protocol', error.message),
        });
      } else {
        options.logger.warn('signal: unreadable line on the event stream', { problem: error.message });
      }
    },
  });

  const body = response.body;
  void (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        if (ended) break;
        parser.feed(decoder.decode(chunk, { stream: true }));
      }
      end({ reason: 'the daemon closed the event stream' });
    } catch (error) {
      if (!ended) end({ reason: 'the event stream broke', error: toAdapterError(error, SIGNAL_PLATFORM) });
    }
  })();

  return { closed, close: (reason) => end({ reason }) };
}
