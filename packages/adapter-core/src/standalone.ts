import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  AdapterContext,
  InboundMessage,
  OutboundMessage,
  PlatformAdapter,
  SendResult,
} from './contract.js';
import { createConsoleLogger, type Logger } from './logger.js';
import { MediaCache } from './media/media-cache.js';

export interface StandaloneBotOptions {
  /** Called once per inbound message the adapter hands over (after its dedupe, mention rules and batching). */
  onMessage(
    msg: InboundMessage,
    reply: (answer: string | OutboundMessage) => Promise<SendResult>,
  ): void | Promise<void>;
  /** Where attachments are downloaded. Default: a `hermes-<platform>-media` folder in the OS temp dir. */
  mediaDir?: string;
  /** Default: JSON lines on stderr at info level. */
  logger?: Logger;
}

export interface StandaloneBot<A extends PlatformAdapter> {
  adapter: A;
  stop(): Promise<void>;
}

/**
 * Runs one adapter without the Hermes gateway: the small bot loop every adapter's README example uses.
 * A string answer replies to the message it answers (`quoteReplies: false` for platforms where the thread
 * already says that). Access control is the caller's: the gateway's allowlists and pairing do not apply.
 */
export async function runStandaloneBot<A extends PlatformAdapter>(
  adapter: A,
  options: StandaloneBotOptions & { quoteReplies?: boolean },
): Promise<StandaloneBot<A>> {
  const logger = options.logger ?? createConsoleLogger();
  const controller = new AbortController();
  const quote = options.quoteReplies ?? true;
  const ctx: AdapterContext = {
    logger,
    signal: controller.signal,
    mediaCache: new MediaCache({
      dir: options.mediaDir ?? join(tmpdir(), `hermes-${adapter.platform}-media`),
      logger,
    }),
    status: (status, detail) => logger.info(`${adapter.platform} ${status}`, detail ? { detail } : {}),
    receive: (msg) => {
      const reply = (answer: string | OutboundMessage) =>
        adapter.send(
          msg.chat,
          typeof answer === 'string' ? { text: answer, ...(quote ? { replyTo: msg.id } : {}) } : answer,
        );
      Promise.resolve()
        .then(() => options.onMessage(msg, reply))
        .catch((error: unknown) =>
          logger.error('onMessage failed', { error: error instanceof Error ? error.message : String(error) }),
        );
    },
  };
  try {
    await adapter.start(ctx);
  } catch (error) {
    controller.abort();
    throw error;
  }
  return {
    adapter,
    async stop() {
      await adapter.stop();
      controller.abort();
    },
  };
}
