import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AdapterContext,
  type AdapterStatus,
  createConsoleLogger,
  type InboundMessage,
  type Logger,
  MediaCache,
} from '@hermes/adapter-core';

export interface WecomContextOptions {
  /** Each message, after dedupe, access policy and batching. A rejection is logged, never thrown. */
  onMessage(msg: InboundMessage): void | Promise<void>;
  onStatus?(status: AdapterStatus, detail?: string): void;
  /** Where attachments are downloaded; default `<tmp>/hermes-wecom-media`. Files older than a day are swept. */
  mediaDir?: string;
  /** Default: JSON lines on stderr at info level. */
  logger?: Logger;
}

/**
 * The AdapterContext a bot without the Hermes gateway hands to `adapter.start()`: a console logger, a
 * media cache with an hourly sweep, and a handler for messages. `close()` stops the sweep and aborts.
 */
export function createWecomContext(options: WecomContextOptions): { ctx: AdapterContext; close(): void } {
  const logger = options.logger ?? createConsoleLogger({ bindings: { platform: 'wecom' } });
  const controller = new AbortController();
  const mediaCache = new MediaCache({
    dir: options.mediaDir ?? join(tmpdir(), 'hermes-wecom-media'),
    logger,
  });
  const stopSweeper = mediaCache.startSweeper(60 * 60_000);
  const ctx: AdapterContext = {
    receive(msg) {
      Promise.resolve()
        .then(() => options.onMessage(msg))
        .catch((error: unknown) => logger.error('onMessage failed', { error: String(error), msgid: msg.id }));
    },
    status(status, detail) {
      options.onStatus?.(status, detail);
    },
    logger,
    mediaCache,
    signal: controller.signal,
  };
  return {
    ctx,
    close() {
      stopSweeper();
      controller.abort();
    },
  };
}
