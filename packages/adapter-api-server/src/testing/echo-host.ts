import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  AdapterContext,
  AdapterStatus,
  InboundMessage,
  Logger,
  MediaCacheLike,
  RequestExchange,
  SendResult,
} from '@hermes/adapter-core';
import { AdapterError, silentLogger } from '@hermes/adapter-core';
import { ApiServerAdapter, type ApiServerAdapterOptions } from '../adapter.js';
import type { ApiServerConfigInput } from '../config.js';

/**
 * What the fake host answers; the default echoes the prompt back as `echo: <text>`. It gets the typed
 * request exchange, the only thing a real host reads besides the message itself.
 */
export type EchoReply = (
  message: InboundMessage,
  request: RequestExchange,
) => string | undefined | Promise<string | undefined>;

export interface EchoHostOptions {
  /** Adapter config; host and port default to 127.0.0.1 and a free port. */
  config?: ApiServerConfigInput;
  /** Adapter options, e.g. the response store (default: in memory). */
  adapterOptions?: ApiServerAdapterOptions;
  /** Build the reply. Return undefined to never answer (for timeout and disconnect tests). */
  reply?: EchoReply;
  /** Streaming requests get the reply word by word through `edit()` before the final `send()`. Default true. */
  streamWords?: boolean;
  logger?: Logger;
}

export interface ApiServerEchoHost {
  adapter: ApiServerAdapter;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `http://127.0.0.1:PORT/v1`: pass as `baseURL` to the `openai` client. */
  baseURL: string;
  /** Every message the host received, in order. */
  received: InboundMessage[];
  statuses: AdapterStatus[];
  /** Results of the host's `send()`/`edit()` calls, to assert on what happened after a disconnect. */
  results: SendResult[];
  close(): Promise<void>;
}

function splitWords(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

async function answer(
  adapter: ApiServerAdapter,
  message: InboundMessage,
  o: EchoHostOptions,
  results: SendResult[],
) {
  const request = message.request;
  if (request === undefined) {
    throw new AdapterError('protocol', 'api_server message without a request exchange', {
      platform: message.chat.platform,
    });
  }
  const text = await (o.reply ?? ((m) => `echo: ${m.text}`))(message, request);
  if (text === undefined) return;
  if (request.stream && o.streamWords !== false) {
    let soFar = '';
    for (const word of splitWords(text)) {
      soFar += word;
      results.push(await adapter.edit(message.chat, request.replyMessageId, soFar));
      // Let each delta leave as its own chunk, as a real agent's tokens would.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  results.push(await adapter.send(message.chat, { text }));
}

/**
 * Starts an ApiServerAdapter on 127.0.0.1 with a tiny host that answers every request itself:
 * a stand-in for the gateway in tests of code that talks to the Hermes API.
 */
export async function startApiServerEchoHost(options: EchoHostOptions = {}): Promise<ApiServerEchoHost> {
  const adapter = new ApiServerAdapter(
    { host: '127.0.0.1', port: 0, ...options.config },
    options.adapterOptions,
  );
  const received: InboundMessage[] = [];
  const statuses: AdapterStatus[] = [];
  const results: SendResult[] = [];
  const controller = new AbortController();
  const logger = options.logger ?? silentLogger;
  const mediaCache: MediaCacheLike = { dir: tmpdir(), pathFor: (name) => join(tmpdir(), name) };
  const ctx: AdapterContext = {
    receive(message) {
      received.push(message);
      answer(adapter, message, options, results).catch((error: unknown) => {
        logger.error('echo host failed to answer', { error });
      });
    },
    status: (status) => statuses.push(status),
    logger,
    mediaCache,
    signal: controller.signal,
  };
  await adapter.start(ctx);
  const url = adapter.address?.url ?? '';
  return {
    adapter,
    url,
    baseURL: `${url}/v1`,
    received,
    statuses,
    results,
    async close() {
      controller.abort();
      await adapter.stop();
    },
  };
}
