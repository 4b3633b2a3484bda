import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdapterContext, InboundMessage, Logger } from '@hermes/adapter-core';
import { silentLogger } from '@hermes/adapter-core';
import { WebhookAdapter, type WebhookAdapterOptions } from '../adapter.js';
import type { WebhookConfigInput } from '../config.js';

export interface WebhookReceiver {
  adapter: WebhookAdapter;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `POST` here: `${url}/webhooks/<route>`. */
  routeUrl(route: string): string;
  /** Every event the adapter handed to the host, in order. */
  received: InboundMessage[];
  close(): Promise<void>;
}

/**
 * Starts a WebhookAdapter on 127.0.0.1 (free port) that records the events it would hand to a gateway:
 * for testing code that sends webhooks, and for this package's own tests.
 */
export async function startWebhookReceiver(
  config: WebhookConfigInput,
  o: WebhookAdapterOptions & { logger?: Logger } = {},
): Promise<WebhookReceiver> {
  const adapter = new WebhookAdapter({ host: '127.0.0.1', port: 0, ...config }, o.now ? { now: o.now } : {});
  const received: InboundMessage[] = [];
  const controller = new AbortController();
  const ctx: AdapterContext = {
    receive: (message) => {
      received.push(message);
    },
    status: () => {},
    logger: o.logger ?? silentLogger,
    mediaCache: { dir: tmpdir(), pathFor: (name) => join(tmpdir(), name) },
    signal: controller.signal,
  };
  await adapter.start(ctx);
  const url = adapter.address?.url ?? '';
  return {
    adapter,
    url,
    routeUrl: (route) => `${url}/webhooks/${encodeURIComponent(route)}`,
    received,
    async close() {
      controller.abort();
      await adapter.stop();
    },
  };
}
