import { type AdapterContext, DedupeCache, type InboundMessage, type Logger } from '@hermes/adapter-core';
import type { Message } from 'discord.js';
import type { DiscordConfig } from '../config.js';
import { DISCORD_PLATFORM } from '../constants.js';
import type { DiscordSender } from '../outbound/sender.js';
import type { AttachmentFetchOptions } from './attachments.js';
import type { DiscordBotThreads } from './bot-threads.js';
import { buildDiscordInbound, discordChatOf, discordInboundText } from './build-inbound.js';
import { decideDiscordIntake } from './intake-gate.js';
import { botRoleIds, discordMessageFacts } from './message-facts.js';
import type { DiscordMessageLocations } from './message-locations.js';

export interface DiscordIntakeDeps {
  config: DiscordConfig;
  ctx: AdapterContext;
  logger: Logger;
  botId: () => string | undefined;
  sender: DiscordSender;
  botThreads: DiscordBotThreads;
  locations: DiscordMessageLocations;
  attachments: AttachmentFetchOptions;
  stopping: () => boolean;
}

const RAW_KEEP = 1000;

/**
 * From discord.js `messageCreate` to `ctx.receive`: the intake gate, dedupe by message id (a RESUME can
 * replay a dispatch the bot already handled), the auto-thread, then the InboundMessage. Messages of one
 * channel are handed over in arrival order even when one of them waits for its thread to open.
 */
export class DiscordIntake {
  readonly dedupe: DedupeCache;
  readonly #raw = new Map<string, unknown>();
  readonly #chains = new Map<string, Promise<void>>();

  constructor(private readonly deps: DiscordIntakeDeps) {
    this.dedupe = new DedupeCache({
      maxEntries: deps.config.dedupe.maxEntries,
      ttlMs: deps.config.dedupe.ttlMs,
    });
  }

  /** Keeps the MESSAGE_CREATE payload as received, for InboundMessage.raw. */
  rememberRaw(id: string, payload: unknown): void {
    this.#raw.set(id, payload);
    if (this.#raw.size > RAW_KEEP) {
      const oldest = this.#raw.keys().next().value;
      if (oldest !== undefined) this.#raw.delete(oldest);
    }
  }

  handle(message: Message): void {
    const botId = this.deps.botId();
    const raw = this.#raw.get(message.id);
    this.#raw.delete(message.id);
    if (this.deps.stopping() || botId === undefined) return;
    const facts = discordMessageFacts(
      message,
      botId,
      (id, owner) => owner === botId || this.deps.botThreads.has(id),
    );
    const decision = decideDiscordIntake(facts, this.deps.config);
    if (!decision.accept) {
      if (decision.reason !== 'echo') {
        this.deps.logger.debug('discord message not for the bot', {
          reason: decision.reason,
          channel: message.channelId,
        });
      }
      return;
    }
    if (this.dedupe.seen(`${DISCORD_PLATFORM}:${message.id}`)) {
      this.deps.logger.info('discord message delivered again (gateway replay); dropped', { id: message.id });
      return;
    }
    const roles = botRoleIds(message, botId);
    const text = discordInboundText(message, botId, roles);
    this.#serial(message.channelId, async () => {
      const chat = decision.openThread ? await this.#openThread(message, text) : discordChatOf(message);
      this.deps.locations.set(message.id, message.channelId);
      const inbound: InboundMessage = buildDiscordInbound(message, {
        chat,
        text,
        mentionsBot: facts.mentionsBot,
        raw: raw ?? message.toJSON(),
        attachments: this.deps.attachments,
      });
      // The host's DISCORD_ALLOWED_ROLES check matches these; ids and names, as the config may use either.
      const held = [...facts.roles.ids, ...facts.roles.names];
      if (held.length > 0) inbound.sender.roles = held;
      if (this.deps.stopping()) return;
      this.deps.ctx.receive(inbound);
    });
  }

  /**
   * Opens the thread the answer goes to. When Discord refuses (missing permission, outage) the question
   * is answered in the channel instead and the reason is logged: a lost answer would be worse.
   */
  async #openThread(message: Message, text: string) {
    const inline = discordChatOf(message);
    try {
      const thread = await this.deps.sender.openThread(message.channelId, message.id, text);
      return {
        platform: DISCORD_PLATFORM,
        chatId: message.channelId,
        chatType: 'thread' as const,
        threadId: thread.id,
        ...('name' in thread && thread.name ? { chatName: thread.name } : {}),
      };
    } catch (error) {
      this.deps.logger.warn('discord auto-thread could not be opened; answering in the channel', {
        channel: message.channelId,
        error: (error as Error).message,
        fix: 'give the bot "Create Public Threads" and "Send Messages in Threads", or set DISCORD_AUTO_THREAD=false',
      });
      return inline;
    }
  }

  #serial(key: string, task: () => Promise<void>): void {
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const next = previous.then(task).catch((error: unknown) => {
      this.deps.logger.error('discord inbound message could not be handed over', {
        error: (error as Error).message,
      });
    });
    this.#chains.set(key, next);
    void next.finally(() => {
      if (this.#chains.get(key) === next) this.#chains.delete(key);
    });
  }

  /** Resolves when every message already accepted has been handed over. */
  async idle(): Promise<void> {
    await Promise.all([...this.#chains.values()]);
  }
}
