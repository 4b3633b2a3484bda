import {
  AdapterError,
  type Capabilities,
  type ChatRef,
  type Logger,
  type OutboundMessage,
  prepareOutboundText,
  type SendResult,
  toAdapterError,
} from '@hermes/adapter-core';
import { type APIChannel, type APIMessage, type REST, Routes } from 'discord.js';
import type { DiscordConfig } from '../config.js';
import { DISCORD_PLATFORM, DISCORD_THREAD_NAME_MAX } from '../constants.js';
import type { DiscordBotThreads } from '../inbound/bot-threads.js';
import type { DiscordMessageLocations } from '../inbound/message-locations.js';
import { type DiscordActionRow, discordActionRows } from './components.js';
import { loadOutboundFile } from './files.js';
import { keyedMessageNonce, nextMessageNonce } from './nonce.js';
import { discordRestCall } from './rest-call.js';

export interface DiscordSenderDeps {
  rest: REST;
  config: DiscordConfig;
  capabilities: Pick<Capabilities, 'maxMessageLength' | 'lengthUnit' | 'markdown'>;
  logger: Logger;
  locations: DiscordMessageLocations;
  botThreads: DiscordBotThreads;
  signal: AbortSignal;
}

/** One message create: text, an optional file, and the reply reference on the first one only. */
interface CreatePlan {
  content?: string;
  file?: { name: string; data: Buffer; contentType?: string };
  replyTo?: string;
  /** Buttons ride on the last message only, under the end of the answer. */
  components?: DiscordActionRow[];
}

/** The channel a send goes to: a thread is a channel of its own on Discord. */
export function discordTargetChannel(chat: ChatRef, threadId?: string): string {
  return threadId ?? chat.threadId ?? chat.chatId;
}

/**
 * Everything the bot posts goes through here: REST calls on discord.js's rate-limited queue. Each
 * message create carries a nonce with enforce_nonce, so Discord answers a repeat of the same create with
 * the first message instead of posting twice; the adapter itself never repeats a create after a timeout.
 * Without an idempotency key the nonce is fresh per create (it covers the adapter's own retries); with one
 * it is derived from the key and the part's index, so the host's repeat of the whole send (after a timeout
 * or a crash) gets the messages of the first try back as well.
 */
export class DiscordSender {
  /** The same for every create; built once instead of per message. */
  readonly #allowedMentions: { parse: string[]; replied_user: boolean };

  constructor(private readonly deps: DiscordSenderDeps) {
    const { allowMentions } = deps.config;
    this.#allowedMentions = {
      parse: [
        ...(allowMentions.users ? ['users'] : []),
        ...(allowMentions.roles ? ['roles'] : []),
        ...(allowMentions.everyone ? ['everyone'] : []),
      ],
      replied_user: allowMentions.repliedUser,
    };
  }

  async send(chat: ChatRef, msg: OutboundMessage): Promise<SendResult> {
    const channelId = discordTargetChannel(chat, msg.threadId);
    const sentIds: string[] = [];
    // An empty key cannot tell replies apart: treated as none rather than deduping every such reply.
    const key = msg.idempotencyKey === '' ? undefined : msg.idempotencyKey;
    try {
      const plans = await this.#plan(msg, channelId);
      if (plans.length === 0) {
        throw new AdapterError('bad_request', 'nothing to send: the message has no text and no media', {
          platform: DISCORD_PLATFORM,
          retryable: false,
        });
      }
      for (const plan of plans) {
        const index = sentIds.length;
        const nonce = key === undefined ? nextMessageNonce() : keyedMessageNonce(key, index);
        const created = await this.#create(channelId, plan, nonce, index, plans.length);
        sentIds.push(created.id);
        this.deps.locations.set(created.id, channelId);
      }
      if (chat.threadId !== undefined || msg.threadId !== undefined) this.deps.botThreads.remember(channelId);
      return { ok: true, messageIds: sentIds };
    } catch (error) {
      return {
        ok: false,
        error: this.#partial(toAdapterError(error, DISCORD_PLATFORM), sentIds.length, key !== undefined),
      };
    }
  }

  /**
   * After some messages landed, a retry of the whole send by the host would duplicate them, unless the send
   * is keyed: then Discord answers the repeated creates with the messages already posted (within its nonce
   * window), so the error keeps the retryability of its cause.
   */
  #partial(error: AdapterError, sent: number, keyed: boolean): AdapterError {
    if (sent === 0) return error;
    this.deps.logger.error('discord send stopped part way; the messages already posted stay', {
      sent,
      code: error.code,
      error: error.message,
      keyed,
    });
    const note = keyed
      ? `after ${sent} message(s) were already posted; a repeat with the same idempotency key does not post them again`
      : `after ${sent} message(s) were already posted`;
    return new AdapterError(error.code, `${error.message} (${note})`, {
      platform: DISCORD_PLATFORM,
      retryable: keyed && error.retryable,
      cause: error,
      ...(error.fix ? { fix: error.fix } : {}),
      ...(keyed && error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    });
  }

  async #plan(msg: OutboundMessage, channelId: string): Promise<CreatePlan[]> {
    const plans: CreatePlan[] = [];
    if (msg.text !== undefined && msg.text.trim() !== '') {
      for (const chunk of prepareOutboundText(msg.text, this.deps.capabilities, msg.format)) {
        if (chunk.rendered.trim() !== '') plans.push({ content: chunk.rendered });
      }
    }
    for (const media of msg.media ?? []) {
      const file = await loadOutboundFile(media, this.deps.config.maxUploadBytes);
      const caption = media.caption?.trim()
        ? prepareOutboundText(media.caption, this.deps.capabilities, msg.format).map((c) => c.rendered)
        : [];
      // The caption's last chunk rides with the file; earlier chunks of a long caption go first, nothing is cut.
      const last = caption.pop();
      for (const text of caption) plans.push({ content: text });
      plans.push(last === undefined ? { file } : { content: last, file });
    }
    const first = plans[0];
    if (first && msg.replyTo !== undefined) {
      // Discord refuses a reply to a message of another channel (the starter of an auto-thread).
      const home = this.deps.locations.get(msg.replyTo);
      if (home === undefined || home === channelId) first.replyTo = msg.replyTo;
    }
    const last = plans.at(-1);
    if (last && msg.actions && msg.actions.length > 0) last.components = discordActionRows(msg.actions);
    return plans;
  }

  async #create(
    channelId: string,
    plan: CreatePlan,
    nonce: string,
    index: number,
    total: number,
  ): Promise<APIMessage> {
    const body: Record<string, unknown> = {
      nonce,
      enforce_nonce: true,
      allowed_mentions: this.#allowedMentions,
    };
    if (plan.content !== undefined) body['content'] = plan.content;
    if (plan.replyTo !== undefined)
      body['message_reference'] = { message_id: plan.replyTo, fail_if_not_exists: false };
    if (plan.file) body['attachments'] = [{ id: 0, filename: plan.file.name }];
    if (plan.components) body['components'] = plan.components;
    const files = plan.file
      ? [
          {
            name: plan.file.name,
            data: plan.file.data,
            ...(plan.file.contentType ? { contentType: plan.file.contentType } : {}),
          },
        ]
      : undefined;
    return discordRestCall(
      (signal) =>
        this.deps.rest.post(Routes.channelMessages(channelId), {
          body,
          ...(files ? { files } : {}),
          signal,
        }) as Promise<APIMessage>,
      {
        what: `send message ${index + 1}/${total} to channel ${channelId}`,
        idempotent: true,
        signal: this.deps.signal,
        logger: this.deps.logger,
      },
    );
  }

  async edit(chat: ChatRef, messageId: string, text: string): Promise<SendResult> {
    try {
      const chunks = prepareOutboundText(text, this.deps.capabilities);
      if (chunks.length !== 1) {
        throw new AdapterError(
          'too_large',
          `edited text is longer than ${this.deps.capabilities.maxMessageLength} characters; Discord cannot edit one message into several`,
          { platform: DISCORD_PLATFORM, retryable: false, fix: 'send the rest as a new message' },
        );
      }
      await this.patchMessage(chat, messageId, { content: chunks[0]!.rendered }, `edit message ${messageId}`);
      return { ok: true, messageIds: [messageId] };
    } catch (error) {
      return { ok: false, error: toAdapterError(error, DISCORD_PLATFORM) };
    }
  }

  /** PATCHes one message the bot sent (idempotent, so retried like a read). */
  private async patchMessage(chat: ChatRef, messageId: string, body: Record<string, unknown>, what: string) {
    const channelId = this.deps.locations.get(messageId) ?? discordTargetChannel(chat);
    await discordRestCall(
      (signal) => this.deps.rest.patch(Routes.channelMessage(channelId, messageId), { body, signal }),
      { what, idempotent: true, signal: this.deps.signal, logger: this.deps.logger },
    );
  }

  /**
   * Removes the buttons of a message and appends the outcome to its text. The current text is read from
   * Discord first, so a message sent before a restart settles as well.
   */
  async settle(chat: ChatRef, messageId: string, outcome: string): Promise<SendResult> {
    try {
      const channelId = this.deps.locations.get(messageId) ?? discordTargetChannel(chat);
      const current = (await discordRestCall(
        (signal) => this.deps.rest.get(Routes.channelMessage(channelId, messageId), { signal }),
        {
          what: `read message ${messageId}`,
          idempotent: true,
          signal: this.deps.signal,
          logger: this.deps.logger,
        },
      )) as APIMessage;
      const content = settledContent(current.content, outcome, this.deps.capabilities.maxMessageLength);
      await this.patchMessage(
        chat,
        messageId,
        { content, components: [] },
        `settle buttons of message ${messageId}`,
      );
      return { ok: true, messageIds: [messageId] };
    } catch (error) {
      return { ok: false, error: toAdapterError(error, DISCORD_PLATFORM) };
    }
  }

  async delete(chat: ChatRef, messageId: string): Promise<boolean> {
    const channelId = this.deps.locations.get(messageId) ?? discordTargetChannel(chat);
    try {
      await discordRestCall(
        (signal) => this.deps.rest.delete(Routes.channelMessage(channelId, messageId), { signal }),
        {
          what: `delete message ${messageId}`,
          idempotent: true,
          signal: this.deps.signal,
          logger: this.deps.logger,
        },
      );
      return true;
    } catch (error) {
      this.deps.logger.warn('discord delete failed', { messageId, error: (error as Error).message });
      return false;
    }
  }

  /** Adds (or with `remove`, takes back) the bot's reaction; throws an AdapterError on failure. */
  async react(chat: ChatRef, messageId: string, emoji: string, remove = false): Promise<void> {
    const channelId = this.deps.locations.get(messageId) ?? discordTargetChannel(chat);
    const route = Routes.channelMessageOwnReaction(channelId, messageId, encodeURIComponent(emoji));
    await discordRestCall(
      (signal) => (remove ? this.deps.rest.delete(route, { signal }) : this.deps.rest.put(route, { signal })),
      {
        what: `${remove ? 'remove' : 'add'} reaction on ${messageId}`,
        idempotent: true,
        signal: this.deps.signal,
        logger: this.deps.logger,
      },
    );
  }

  async typing(chat: ChatRef): Promise<void> {
    const channelId = discordTargetChannel(chat);
    await discordRestCall((signal) => this.deps.rest.post(Routes.channelTyping(channelId), { signal }), {
      what: `typing in ${channelId}`,
      idempotent: true,
      signal: this.deps.signal,
      logger: this.deps.logger,
    });
  }

  /** Opens a public thread on a message. Not idempotent: only retried when the connection was refused. */
  async openThread(channelId: string, messageId: string, name: string): Promise<APIChannel> {
    const thread = (await discordRestCall(
      (signal) =>
        this.deps.rest.post(Routes.threads(channelId, messageId), {
          body: { name: threadName(name), auto_archive_duration: this.deps.config.autoArchiveMinutes },
          signal,
        }),
      {
        what: `open a thread on ${messageId}`,
        idempotent: false,
        signal: this.deps.signal,
        logger: this.deps.logger,
      },
    )) as APIChannel;
    this.deps.botThreads.remember(thread.id);
    return thread;
  }
}

/** The text with the outcome under it; the old text gives way (cut from its end) so the outcome always shows. */
export function settledContent(content: string, outcome: string, max: number): string {
  const tail = [...`\n\n${outcome.trim()}`].slice(0, max);
  if (content.trim() === '') return tail.join('').trim();
  const room = max - tail.length;
  const head = [...content];
  const kept = head.length <= room ? content : `${head.slice(0, Math.max(0, room - 1)).join('')}…`;
  return `${kept}${tail.join('')}`;
}

/** First line of the question, cut to Discord's 100-character thread name limit. */
export function threadName(text: string): string {
  const line =
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? '';
  const name = line === '' ? 'Hermes' : line;
  const chars = [...name];
  return chars.length <= DISCORD_THREAD_NAME_MAX
    ? name
    : `${chars.slice(0, DISCORD_THREAD_NAME_MAX - 1).join('')}…`;
}
