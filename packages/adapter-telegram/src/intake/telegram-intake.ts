import {
  type Attachment,
  createTextBatcher,
  type DedupeCache,
  type InboundAction,
  type InboundMessage,
  type Logger,
  mergeInboundBatch,
  type TextBatcher,
} from '@hermes/adapter-core';
import type { TelegramBotIdentity } from '../api/results.js';
import type { TelegramConfig } from '../config.js';
import { addressingOf, compileMentionPatterns } from './addressing.js';
import { fileRefsOf, type TelegramFileRef } from './attachments.js';
import { buildTelegramAction } from './button-press.js';
import { gateGroupMessage } from './gate.js';
import { buildTelegramInbound, telegramSenderOf } from './inbound-message.js';
import { parseTelegramUpdate, type TelegramCallbackQuery, type TelegramMessage } from './parse-update.js';

export interface TelegramIntakeOptions {
  config: TelegramConfig;
  bot: TelegramBotIdentity;
  logger: Logger;
  dedupe: DedupeCache;
  /**
   * The host's ctx.receive. A promise settles once the host has journaled the message: until then its
   * updates stay in held(), so neither a restart nor the next getUpdates can drop them.
   */
  receive(msg: InboundMessage): void | Promise<void>;
  attachment(file: TelegramFileRef): Attachment;
  /** A button press: acknowledged to Telegram and handed over by the caller; false for a duplicate. */
  press(action: InboundAction): boolean;
  /** A press that is not handed over: only answered, so the user's button stops spinning. */
  dismissPress(callbackQueryId: string): void;
  /** A timer handed a held batch over: the held list changed outside handle(), persist it. */
  onHeldChanged(): void;
  /**
   * Hand batches over in update order: one waits while an older update is still held in another batch.
   * With a connection handoff, what was handed over is then always below what is held, so the updates a
   * new owner fetches again were never handed over (none can merge with one already answered).
   */
  inOrder?: boolean;
}

export type TelegramIntakeOutcome = 'received' | 'held' | 'duplicate' | 'filtered' | 'ignored' | 'malformed';

interface Pending {
  msg: InboundMessage;
  updateId: number;
  batchable: boolean;
}

type Built =
  | { kind: 'message'; pending: Pending; albumKey?: string; sessionKey: string }
  | { kind: 'drop'; reason: string };

/**
 * Turns raw updates into InboundMessages, synchronously: dedupe, filters, mention rules, then albums and
 * split pastes are held back and merged. Every update handed in is accounted for when handle() returns:
 * given to the host, dropped on purpose, or listed in held() until its batch is handed over. The caller
 * persists held() with the offset, so a restart replays what was held instead of losing it.
 */
export class TelegramIntake {
  readonly #o: TelegramIntakeOptions;
  readonly #patterns: RegExp[];
  /** update_id → raw update, for updates waiting in a batch (or refused by the host). */
  readonly #held = new Map<number, unknown>();
  readonly #albums: TextBatcher<Pending>;
  readonly #texts: TextBatcher<Pending> | undefined;
  #insideHandle = false;
  /** Batches ready to go but waiting for an older held update (inOrder only), oldest first. */
  #ready: Pending[][] = [];
  /** Held updates that left their batcher (ready, being journaled, or refused): inOrder only. */
  readonly #given = new Set<number>();
  /** Hand-overs whose journal write has not settled yet. */
  readonly #journaling = new Set<Promise<void>>();

  constructor(options: TelegramIntakeOptions) {
    this.#o = options;
    const c = options.config;
    this.#patterns = compileMentionPatterns(c.mentionPatterns);
    const logger = options.logger;
    // Album parts never reach the split threshold, so only the short delay applies.
    this.#albums = createTextBatcher<Pending>({
      delayMs: c.albumDelayMs,
      splitDelayMs: c.albumDelayMs,
      splitThreshold: Number.MAX_SAFE_INTEGER,
      textOf: (p) => p.msg.text,
      onFlush: (_key, items) => this.#deliver(items),
      logger,
    });
    this.#texts = c.textBatching
      ? createTextBatcher<Pending>({
          delayMs: c.textBatchDelayMs,
          splitDelayMs: c.textBatchSplitDelayMs,
          splitThreshold: c.textBatchSplitThreshold,
          textOf: (p) => p.msg.text,
          isBatchable: (p) => p.batchable,
          onFlush: (_key, items) => this.#deliver(items),
          logger,
        })
      : undefined;
  }

  /** Takes one raw update. `replay` is for held updates of an earlier run: they skip the dedupe check. */
  handle(raw: unknown, options: { replay?: boolean } = {}): TelegramIntakeOutcome {
    this.#insideHandle = true;
    try {
      return this.#handle(raw, options.replay === true);
    } finally {
      this.#insideHandle = false;
    }
  }

  /** Raw updates not yet handed to the host, oldest first. */
  held(): unknown[] {
    return [...this.#held.values()];
  }

  /** Hands every pending batch over now (on stop, so nothing waits in memory). */
  flushAll(): void {
    this.#insideHandle = true;
    try {
      this.#albums.flushAll();
      this.#texts?.flushAll();
    } finally {
      this.#insideHandle = false;
    }
  }

  close(): void {
    this.#albums.close();
    this.#texts?.close();
  }

  #handle(raw: unknown, replay: boolean): TelegramIntakeOutcome {
    const parsed = parseTelegramUpdate(raw);
    const log = this.#o.logger;
    if (parsed.kind === 'malformed') {
      log.warn(`malformed Telegram update skipped: ${parsed.problem}`, {
        updateId: parsed.updateId,
        problem: parsed.problem,
      });
      return 'malformed';
    }
    // A replayed update is marked too: Telegram may offer it again (not confirmed, see connectionHandoff).
    const seen = this.#o.dedupe.seen(String(parsed.updateId));
    if (seen && !replay) {
      log.debug('duplicate Telegram update dropped', { updateId: parsed.updateId });
      return 'duplicate';
    }
    if (parsed.kind === 'callback') return this.#press(raw, parsed.updateId, parsed.query);
    if (parsed.kind === 'other') {
      log.debug('Telegram update of an unhandled type ignored', {
        updateId: parsed.updateId,
        type: parsed.type,
      });
      return 'ignored';
    }
    const built = this.#build(raw, parsed.updateId, parsed.message);
    if (built.kind === 'drop') {
      log.debug(`Telegram message not handed over: ${built.reason}`, {
        updateId: parsed.updateId,
        reason: built.reason,
      });
      return 'filtered';
    }
    const { pending } = built;
    this.#held.set(pending.updateId, raw);
    if (built.albumKey !== undefined) this.#albums.add(built.albumKey, pending);
    else if (this.#texts) this.#texts.add(built.sessionKey, pending);
    else this.#deliver([pending]);
    return this.#held.has(pending.updateId) ? 'held' : 'received';
  }

  /** Presses in groups pass the same chat and user filters as messages; no mention is needed. */
  #press(raw: unknown, updateId: number, query: TelegramCallbackQuery): TelegramIntakeOutcome {
    const log = this.#o.logger;
    const built = buildTelegramAction(raw, query);
    let reason = built.kind === 'drop' ? built.reason : undefined;
    const chat = query.message?.chat;
    if (!reason && query.from.is_bot === true) reason = 'press by a bot';
    if (!reason && chat && (chat.type === 'group' || chat.type === 'supergroup')) {
      const decision = gateGroupMessage(
        { chatId: String(chat.id), senderId: String(query.from.id), senderUsername: query.from.username },
        { mentionsBot: true, isCommand: false, commandForOtherBot: false, text: '' },
        this.#o.config,
      );
      if (!decision.pass) reason = decision.reason;
    }
    if (reason !== undefined || built.kind === 'drop') {
      log.debug(`Telegram button press not handed over: ${reason}`, { updateId, reason });
      this.#o.dismissPress(query.id);
      return 'filtered';
    }
    return this.#o.press(built.action) ? 'received' : 'duplicate';
  }

  #build(raw: unknown, updateId: number, message: TelegramMessage): Built {
    const { bot, config } = this.#o;
    const sender = telegramSenderOf(message);
    if (!sender) return { kind: 'drop', reason: 'no sender' };
    if (sender.isBot)
      return { kind: 'drop', reason: sender.id === String(bot.id) ? 'our own message' : 'from another bot' };
    const chatType = message.chat.type;
    if (chatType === 'channel') return { kind: 'drop', reason: 'channel post' };
    const addressing = addressingOf(message, bot, this.#patterns);
    if (chatType === 'group' || chatType === 'supergroup') {
      const decision = gateGroupMessage(
        { chatId: String(message.chat.id), senderId: sender.id, senderUsername: sender.altId },
        addressing,
        config,
      );
      if (!decision.pass) return { kind: 'drop', reason: decision.reason };
    }
    const files = fileRefsOf(message);
    if (files.length === 0 && addressing.text.trim() === '' && message.text === undefined) {
      return { kind: 'drop', reason: 'service message without text or media' };
    }
    const attachments = files.map((f) => this.#o.attachment(f));
    const msg = buildTelegramInbound(raw, message, sender, addressing, attachments);
    const batchable = message.text !== undefined && files.length === 0 && !addressing.isCommand;
    const sessionKey = `${msg.chat.chatId}:${msg.chat.threadId ?? ''}:${sender.id}`;
    const pending: Pending = { msg, updateId, batchable };
    return message.media_group_id !== undefined
      ? { kind: 'message', pending, sessionKey, albumKey: `${msg.chat.chatId}:${message.media_group_id}` }
      : { kind: 'message', pending, sessionKey };
  }

  /** Hands a batch (one message, an album, a split paste) to the host, in update order when asked to. */
  #deliver(items: Pending[]): void {
    if (items.length === 0) return;
    if (!this.#o.inOrder) {
      this.#handOver(items);
      return;
    }
    for (const p of items) this.#given.add(p.updateId);
    this.#ready.push(items);
    this.#ready.sort((a, b) => firstUpdateId(a) - firstUpdateId(b));
    while (this.#ready.length > 0) {
      const first = firstUpdateId(this.#ready[0]!);
      // Only an update still waiting in a batcher blocks: one handed over (journaling, or refused) does not.
      for (const id of this.#held.keys()) if (id < first && !this.#given.has(id)) return;
      this.#handOver(this.#ready.shift()!);
    }
  }

  /** One batch (one message, an album, a split paste) to the host as one InboundMessage. */
  #handOver(items: Pending[]): void {
    const merged = mergeInboundBatch(items.map((p) => p.msg));
    const handed = () => {
      for (const p of items) {
        this.#held.delete(p.updateId);
        this.#given.delete(p.updateId);
      }
    };
    try {
      const journaled = this.#o.receive(merged);
      if (journaled instanceof Promise) this.#track(journaled, items, handed);
      else handed();
    } catch (error) {
      this.#refused(items, error);
    }
    if (!this.#insideHandle) this.#o.onHeldChanged();
  }

  /** True while a hand-over waits for the host's journal (settled() would wait). */
  get journaling(): boolean {
    return this.#journaling.size > 0;
  }

  /** Settles once every message handed over so far is journaled (or refused and kept in held()). */
  async settled(): Promise<void> {
    while (this.#journaling.size > 0) await Promise.all([...this.#journaling]);
  }

  #track(journaled: Promise<void>, items: Pending[], handed: () => void): void {
    const done = journaled.then(handed, (error: unknown) => this.#refused(items, error));
    const tracked = done.finally(() => {
      this.#journaling.delete(tracked);
      this.#o.onHeldChanged();
    });
    this.#journaling.add(tracked);
  }

  #refused(items: Pending[], error: unknown): void {
    // Kept in held(): persisted with the offset and offered again on the next start.
    this.#o.logger.error(
      'the host refused a Telegram message; it is kept and offered again on the next start',
      {
        updateIds: items.map((p) => p.updateId),
        error: error instanceof Error ? error.message : String(error),
      },
    );
  }
}

function firstUpdateId(batch: Pending[]): number {
  let first = Number.POSITIVE_INFINITY;
  for (const p of batch) if (p.updateId < first) first = p.updateId;
  return first;
}
