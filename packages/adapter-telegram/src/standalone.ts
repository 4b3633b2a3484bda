import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AdapterContext,
  createConsoleLogger,
  type InboundMessage,
  type Logger,
  MediaCache,
  type OutboundMessage,
  type SendResult,
} from '@hermes/adapter-core';
import { TelegramAdapter } from './adapter.js';
import type { TelegramConfig, TelegramConfigInput } from './config.js';

export interface TelegramBotOptions {
  /** Called once per inbound message (after dedupe, mention rules and batching). */
  onMessage(
    msg: InboundMessage,
    reply: (answer: string | OutboundMessage) => Promise<SendResult>,
  ): void | Promise<void>;
  /** Where attachments are downloaded. Default: a `hermes-telegram-media` folder in the OS temp dir. */
  mediaDir?: string;
  /** Default: JSON lines on stderr at info level. */
  logger?: Logger;
}

export interface TelegramBot {
  adapter: TelegramAdapter;
  stop(): Promise<void>;
}

/**
 * Runs the adapter on its own, without the Hermes gateway: a small bot loop for scripts and examples.
 * Access control is yours here (the gateway's allowlists and pairing do not apply): check `msg.sender`.
 */
export async function startTelegramBot(
  config: TelegramConfigInput | TelegramConfig,
  options: TelegramBotOptions,
): Promise<TelegramBot> {
  const adapter = new TelegramAdapter(config);
  const logger = options.logger ?? createConsoleLogger();
  const controller = new AbortController();
  const ctx: AdapterContext = {
    logger,
    signal: controller.signal,
    mediaCache: new MediaCache({ dir: options.mediaDir ?? join(tmpdir(), 'hermes-telegram-media'), logger }),
    status: (status, detail) => logger.info(`telegram ${status}`, detail ? { detail } : {}),
    receive: (msg) => {
      const reply = (answer: string | OutboundMessage) =>
        adapter.send(msg.chat, typeof answer === 'string' ? { text: answer, replyTo: msg.id } : answer);
      Promise.resolve()
        .then(() => options.onMessage(msg, reply))
        .catch((error: unknown) =>
          logger.error('onMessage failed', { error: error instanceof Error ? error.message : String(error) }),
        );
    },
  };
  await adapter.start(ctx);
  return {
    adapter,
    async stop() {
      await adapter.stop();
      controller.abort();
    },
  };
}
