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
import { DiscordAdapter } from './adapter.js';
import type { DiscordConfig, DiscordConfigInput } from './config.js';

export interface DiscordBotOptions {
  /**
   * Called once per inbound message that passed the mention and channel rules. `reply` answers in the
   * message's conversation (its thread, when it has one).
   */
  onMessage(
    msg: InboundMessage,
    reply: (answer: string | OutboundMessage) => Promise<SendResult>,
  ): void | Promise<void>;
  /** Where attachments are downloaded. Default: a `hermes-discord-media` folder in the OS temp dir. */
  mediaDir?: string;
  /** Default: JSON lines on stderr at info level. */
  logger?: Logger;
}

export interface DiscordBot {
  adapter: DiscordAdapter;
  stop(): Promise<void>;
}

/**
 * Runs the adapter on its own, without the Hermes gateway: a small bot loop for scripts and examples.
 * Access control is yours here (DISCORD_ALLOWED_USERS is applied by the gateway): check `msg.sender`.
 */
export async function startDiscordBot(
  config: DiscordConfigInput | DiscordConfig,
  options: DiscordBotOptions,
): Promise<DiscordBot> {
  const adapter = new DiscordAdapter(config);
  const logger = options.logger ?? createConsoleLogger();
  const controller = new AbortController();
  const ctx: AdapterContext = {
    logger,
    signal: controller.signal,
    mediaCache: new MediaCache({ dir: options.mediaDir ?? join(tmpdir(), 'hermes-discord-media'), logger }),
    status: (status, detail) => logger.info(`discord ${status}`, detail ? { detail } : {}),
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
