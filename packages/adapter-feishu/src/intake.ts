import {
  type AdapterContext,
  type ChatRef,
  createTextBatcher,
  DedupeCache,
  type InboundMessage,
  type Logger,
  mergeInboundBatch,
  RecentMap,
  type TextBatcher,
  toAdapterError,
} from '@hermes/adapter-core';
import { parseFeishuCardAction } from './card-action.js';
import type { FeishuConfig } from './config.js';
import {
  FEISHU_CARD_ACTION_DEDUPE_MS,
  FEISHU_TEXT_BATCH_MAX_ITEMS,
  FEISHU_TEXT_BATCH_SPLIT_THRESHOLD,
} from './constants.js';
import type { FeishuDedupeStore } from './dedupe-store.js';
import { mapFeishuInbound } from './inbound.js';
import type { BotIdentity } from './inbound-content.js';
import { feishuResourceAttachment } from './media.js';
import { renderMergeForward } from './merge-forward.js';
import type { FeishuRestClient } from './rest-client.js';

export interface FeishuIntakeStats {
  duplicate: number;
  otherApp: number;
  ignored: number;
  malformed: number;
}

export interface FeishuIntakeDeps {
  config: FeishuConfig;
  ctx: AdapterContext;
  logger: Logger;
  rest: FeishuRestClient;
  bot: BotIdentity;
  dedupe: FeishuDedupeStore;
  stats: FeishuIntakeStats;
  /** Every event, valid or not, proves the connection is alive. */
  onActivity(): void;
  /** A message the host will see (after dedupe). */
  onAccepted(msg: InboundMessage): void;
}

/** Text messages that are not commands may wait for the rest of a paste the client split. */
function isBatchable(msg: InboundMessage): boolean {
  return msg.attachments.length === 0 && !msg.text.trimStart().startsWith('/');
}

/**
 * Everything between the SDK's event dispatcher and the host: map → (other app, echo, bot) filters →
 * persisted message_id dedupe → mention rule → merge_forward expansion or text batching → ctx.receive.
 * Button presses: parse → 15-minute dedupe → answer (toast) → ctx.receiveAction once the answer is out.
 */
export class FeishuIntake {
  readonly #d: FeishuIntakeDeps;
  readonly #presses = new DedupeCache({ maxEntries: 2048, ttlMs: FEISHU_CARD_ACTION_DEDUPE_MS });
  /** Which kind of chat each chat id is, learnt from messages (card presses do not say). */
  readonly #chatTypes = new RecentMap<ChatRef['chatType']>(4096);
  readonly #batcher: TextBatcher<InboundMessage> | undefined;
  #closed = false;

  constructor(deps: FeishuIntakeDeps) {
    this.#d = deps;
    const c = deps.config;
    this.#batcher = c.textBatching
      ? createTextBatcher<InboundMessage>({
          delayMs: c.textBatchDelayMs,
          splitDelayMs: c.textBatchSplitDelayMs,
          splitThreshold: FEISHU_TEXT_BATCH_SPLIT_THRESHOLD,
          maxItems: FEISHU_TEXT_BATCH_MAX_ITEMS,
          textOf: (msg) => msg.text,
          isBatchable,
          logger: deps.logger,
          onFlush: (_key, items) => this.#handOver(mergeInboundBatch(items)),
        })
      : undefined;
  }

  /** Hands over what waits in a batch (not dropped) and ignores anything arriving afterwards. */
  close(): void {
    this.#closed = true;
    this.#batcher?.flushAll();
    this.#batcher?.close();
  }

  onMessage(data: unknown): void {
    if (this.#closed) return;
    const { config, logger, stats } = this.#d;
    this.#d.onActivity();
    const result = mapFeishuInbound(data, {
      appId: config.appId,
      bot: this.#d.bot,
      allowBots: config.allowBots,
      attachment: (ref, messageId) =>
        feishuResourceAttachment(this.#d.rest, ref, messageId, {
          cache: this.#d.ctx.mediaCache,
          maxBytes: config.maxMediaBytes,
          allowPrivate: config.allowPrivateMedia,
          signal: this.#d.ctx.signal,
        }),
      now: () => new Date(),
    });
    if (result.kind === 'malformed') {
      stats.malformed++;
      logger.warn('dropped a malformed Feishu event', { problem: result.problem });
      return;
    }
    if (result.kind === 'ignored') {
      if (result.reason.startsWith('event for another app')) {
        stats.otherApp++;
        logger.warn('ignored a Feishu event addressed to another app', { reason: result.reason });
      } else {
        stats.ignored++;
        logger.debug('ignored a Feishu message', { reason: result.reason });
      }
      return;
    }
    const msg = result.message;
    if (this.#d.dedupe.seen(msg.id)) {
      stats.duplicate++;
      logger.debug('Feishu duplicate message dropped', { messageId: msg.id });
      return;
    }
    if (config.requireMention && msg.chat.chatType !== 'dm' && !msg.mentionsBot) {
      stats.ignored++;
      return;
    }
    this.#chatTypes.set(msg.chat.chatId, msg.chat.chatType);
    this.#d.onAccepted(msg);
    if (result.messageType === 'merge_forward') {
      void renderMergeForward(this.#d.rest, msg.id)
        .then((text) => this.#handOver({ ...msg, text }))
        .catch((error: unknown) => {
          logger.warn('could not fetch the forwarded messages; handing over the placeholder', {
            error: toAdapterError(error).message,
          });
          this.#handOver(msg);
        });
      return;
    }
    const key = `${msg.chat.chatId}:${msg.sender.id}`;
    if (this.#batcher && isBatchable(msg)) {
      this.#batcher.add(key, msg);
      return;
    }
    // A command or media must not overtake text still waiting in the batch of the same sender.
    this.#batcher?.flush(key);
    this.#handOver(msg);
  }

  /** Returns the answer Feishu shows the presser (the ack); the host hears of the press after it. */
  onCardAction(data: unknown): unknown {
    if (this.#closed) return undefined;
    this.#d.onActivity();
    const press = parseFeishuCardAction(data, this.#d.config.appId);
    if (press.kind !== 'press') {
      this.#d.logger.warn('ignored a Feishu card action', { reason: press.reason });
      return undefined;
    }
    const { action } = press;
    if (this.#presses.seen(action.id)) return { toast: { type: 'info', content: 'Already received' } };
    action.chat.chatType = this.#chatTypes.get(action.chat.chatId) ?? action.chat.chatType;
    setImmediate(() => {
      if (this.#closed) return;
      try {
        this.#d.ctx.receiveAction?.(action);
      } catch (error) {
        this.#d.logger.error('host receiveAction() threw', { error: toAdapterError(error).message });
      }
    });
    return { toast: { type: 'info', content: 'Received' } };
  }

  #handOver(msg: InboundMessage): void {
    try {
      this.#d.ctx.receive(msg);
    } catch (error) {
      this.#d.logger.error('host receive() threw; message dropped', {
        error: toAdapterError(error).message,
        messageId: msg.id,
      });
    }
  }
}
