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
import { SlackAdapter } from './adapter.js';
import type { SlackConfig, SlackConfigInput } from './config.js';

export interface SlackBotOptions {
  /** Called once per inbound message (after dedupe and the mention rules). */
  onMessage(
    msg: InboundMessage,
    reply: (answer: string | OutboundMessage) => Promise<SendResult>,
  ): void | Promise<void>;
  /** Where attachments are downloaded. Default: a `hermes-slack-media` folder in the OS temp dir. */
  mediaDir?: string;
  /** Default: JSON lines on stderr at info level. */
  logger?: Logger;
}

export interface SlackBot {
  adapter: SlackAdapter;
  stop(): Promise<void>;
}

/**
 * Runs the adapter on its own, without the Hermes gateway. `reply` answers in the message's thread (for
 * a top-level channel message, a new thread under it). Access control is yours here: check `msg.sender`.
 */
export async function startSlackBot(
  config: SlackConfigInput | SlackConfig,
  options: SlackBotOptions,
): Promise<SlackBot> {
  const adapter = new SlackAdapter(config);
  const logger = options.logger ?? createConsoleLogger();
  const controller = new AbortController();
  const ctx: AdapterContext = {
    logger,
    signal: controller.signal,
    mediaCache: new MediaCache({ dir: options.mediaDir ?? join(tmpdir(), 'hermes-slack-media'), logger }),
    status: (status, detail) => logger.info(`slack ${status}`, detail ? { detail } : {}),
    receive: (msg) => {
      const reply = (answer: string | OutboundMessage) =>
        adapter.send(msg.chat, typeof answer === 'string' ? { text: answer } : answer);
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
