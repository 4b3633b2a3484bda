import {
  AdapterError,
  type ChatRef,
  type Logger,
  type MediaCache,
  type OutboundMessage,
  type PlatformAdapter,
  prepareOutboundText,
  type SendResult,
  safeDownload,
  toAdapterError,
  withRetry,
} from '@hermes/adapter-core';
import { idempotencyKeyOf, type OutboxEntry } from '../state/outbox.js';
import type { OutboxStorage } from '../state/storage.js';
import type { AttachPolicy } from './attachable-path.js';
import { type ExtractedMedia, extractMedia, isSilentReply } from './extract-media.js';

export interface DeliveryOptions {
  replyTo?: string;
  turnRef?: string;
  /** Prefix the first chunk (the "recovered" marker of crash recovery, notices). */
  prefix?: string;
}

export interface DeliveryReport {
  sent: number;
  failed: number;
  messageIds: string[];
}

export interface DelivererDeps {
  outbox: OutboxStorage;
  logger: Logger;
  mediaCache: MediaCache;
  allowPrivateMedia: boolean;
  /** Which local files a reply may attach. */
  attach: AttachPolicy;
  adapterFor(platform: string): PlatformAdapter | undefined;
  /** Max attempts for a send that failed with a retryable error (network, 429, 5xx). */
  maxAttempts?: number;
}

/**
 * Renders and splits a reply to the adapter's limits, records every chunk in the outbox, then sends them in
 * order. Retryable failures are retried with backoff (honouring retry_after); a formatting rejection is
 * re-sent once as plain text; an ambiguous timeout is never re-sent.
 */
export class Deliverer {
  /** Deliveries under way, so a stop lets them finish (bounded) before the adapters go. */
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(private readonly deps: DelivererDeps) {}

  /** Settles when every delivery started so far has finished, or after `maxMs`. */
  async idle(maxMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxMs);
    });
    while (this.#inFlight.size > 0) {
      const winner = await Promise.race([Promise.allSettled([...this.#inFlight]).then(() => 'done'), bound]);
      if (winner !== 'done') break;
    }
    clearTimeout(timer);
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    const forget = () => this.#inFlight.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** Renders, splits and resolves media of a reply into the messages the outbox will hold. */
  async prepare(chat: ChatRef, reply: string, options: DeliveryOptions = {}): Promise<OutboundMessage[]> {
    if (isSilentReply(reply)) return [];
    const adapter = this.deps.adapterFor(chat.platform);
    const { text, media } = extractMedia(reply, {
      attach: this.deps.attach,
      onRefused: (path, reason) =>
        this.deps.logger.warn('reply names a file that may not be attached; left as text', { path, reason }),
    });
    const body = options.prefix ? `${options.prefix}\n\n${text}` : text;
    const messages: OutboundMessage[] = [];
    if (body.trim()) {
      // Without a live adapter (it is restarting) keep the text whole; it is split when the adapter sends it.
      if (adapter)
        for (const chunk of prepareOutboundText(body, adapter.capabilities))
          messages.push({ text: chunk.markdown });
      else messages.push({ text: body });
    }
    messages.push(...(await this.resolveMedia(media)));
    for (const m of messages) if (chat.threadId) m.threadId = chat.threadId;
    if (messages[0] && options.replyTo) messages[0].replyTo = options.replyTo;
    return messages;
  }

  /** Notices and command replies: prepare, record, send. */
  deliverText(chat: ChatRef, reply: string, options: DeliveryOptions = {}): Promise<DeliveryReport> {
    return this.#track(this.#deliverText(chat, reply, options));
  }

  async #deliverText(chat: ChatRef, reply: string, options: DeliveryOptions): Promise<DeliveryReport> {
    const messages = await this.prepare(chat, reply, options);
    if (messages.length === 0) return { sent: 0, failed: 0, messageIds: [] };
    const ids = await this.deps.outbox.enqueue(chat, messages, options.turnRef);
    return this.#sendEntries(ids);
  }

  /**
   * A request/reply answer, sent once to the client waiting on the request, with no outbox row: that client
   * is the answer's only reader and cannot outlive this process, so a row would leave nothing to recover.
   */
  sendToWaitingClient(chat: ChatRef, messages: readonly OutboundMessage[]): Promise<DeliveryReport> {
    return this.#track(this.#sendToWaitingClient(chat, messages));
  }

  async #sendToWaitingClient(chat: ChatRef, messages: readonly OutboundMessage[]): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, failed: 0, messageIds: [] };
    const adapter = this.deps.adapterFor(chat.platform);
    for (const message of messages) {
      const result: SendResult = adapter
        ? await adapter.send(chat, message).catch((err: unknown) => ({
            ok: false as const,
            error: toAdapterError(err, chat.platform),
          }))
        : { ok: false, error: new AdapterError('not_connected', `platform ${chat.platform} is not running`) };
      if (result.ok) {
        report.sent++;
        report.messageIds.push(...result.messageIds);
        continue;
      }
      report.failed++;
      this.deps.logger.warn('answer not delivered to the client waiting for it', {
        platform: chat.platform,
        code: result.error.code,
        error: result.error.message,
      });
    }
    return report;
  }

  /**
   * Sends rows already in the outbox, in order; used after enqueue and by crash recovery. `reuseFirst`
   * delivers the first row by finishing a streamed message (an edit, a native stream's finish) so the
   * reply is not shown twice; if that fails for good the row is sent as a new message.
   */
  sendEntries(
    ids: readonly number[],
    prefixFirst?: string,
    reuseFirst?: (message: OutboundMessage) => Promise<SendResult>,
  ): Promise<DeliveryReport> {
    return this.#track(this.#sendEntries(ids, prefixFirst, reuseFirst));
  }

  async #sendEntries(
    ids: readonly number[],
    prefixFirst?: string,
    reuseFirst?: (message: OutboundMessage) => Promise<SendResult>,
  ): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, failed: 0, messageIds: [] };
    for (const [i, id] of ids.entries()) {
      const entry = await this.deps.outbox.get(id);
      if (entry?.state !== 'pending') continue;
      if (i === 0 && prefixFirst && entry.message.text)
        entry.message.text = `${prefixFirst}\n${entry.message.text}`;
      const reuse = i === 0 && entry.message.text ? reuseFirst : undefined;
      const result = await this.sendEntry(entry, reuse);
      if (result.ok) {
        report.sent++;
        report.messageIds.push(...result.messageIds);
      } else report.failed++;
    }
    return report;
  }

  private async sendEntry(
    entry: OutboxEntry,
    reuse?: (message: OutboundMessage) => Promise<SendResult>,
  ): Promise<SendResult> {
    const { outbox, logger } = this.deps;
    const adapter = this.deps.adapterFor(entry.platform);
    if (!adapter) {
      const error = new AdapterError('not_connected', `platform ${entry.platform} is not running`);
      await outbox.markFailed(entry.id, error.message);
      return { ok: false, error };
    }
    try {
      await outbox.markSending(entry.id);
    } catch (err) {
      // Not marked, not sent: the row stays pending for whoever may send it (after a lost connection lease,
      // the replica holding the connection now; after a restart, this one).
      const error = toAdapterError(err, entry.platform);
      logger.warn('reply left in the outbox unsent', { platform: entry.platform, error: error.message });
      return { ok: false, error };
    }
    if (reuse) {
      try {
        return await this.attempt(entry, () => reuse(entry.message));
      } catch (err) {
        // An edit that timed out may have landed: a second copy is better than losing the final text.
        logger.warn('streamed message not finished; sending the reply as a new message', {
          platform: entry.platform,
          code: toAdapterError(err, entry.platform).code,
        });
      }
    }
    // Every try of this row carries the same key: a platform that dedupes on it shows a repeated send once.
    let message: OutboundMessage = { ...entry.message, idempotencyKey: idempotencyKeyOf(entry) };
    let plainRetried = false;
    // Once a try ended unknown, a later failure does not make the row surely unsent.
    let mayHaveLanded = false;
    try {
      return await this.attempt(entry, async () => {
        const sent = await adapter.send(entry.chat, message);
        if (!sent.ok && sent.error.code === 'timeout_ambiguous') mayHaveLanded = true;
        const r = repeatableWhenKeyed(sent, entry, adapter);
        if (r.ok || r.error.code !== 'formatting_rejected' || plainRetried) return r;
        plainRetried = true;
        message = { ...message, format: 'plain' };
        const error = new AdapterError('formatting_rejected', r.error.message, {
          retryable: true,
          retryAfterMs: 0,
        });
        return { ok: false, error };
      });
    } catch (err) {
      const error = toAdapterError(err, entry.platform);
      if (error.code === 'not_connected' && (!mayHaveLanded || withinKeyWindow(entry, adapter))) {
        // The adapter was stopped (a shutdown, or another replica took the connection): the send surely did
        // not happen. Pending, the reply goes out with the connection's next start, here or elsewhere.
        await outbox.markRetry(entry.id, error.message);
        logger.warn('reply kept in the outbox: the platform is not connected here now', {
          platform: entry.platform,
          chatId: entry.chat.chatId,
        });
        return { ok: false, error };
      }
      await outbox.markFailed(
        entry.id,
        error.message,
        error.code === 'timeout_ambiguous' || mayHaveLanded ? 'ambiguous' : 'failed',
      );
      logger.error('reply not delivered', {
        platform: entry.platform,
        chatId: entry.chat.chatId,
        code: error.code,
        error: error.message,
      });
      return { ok: false, error };
    }
  }

  /** One outbox row (already marked sending) written by `write`, retried as the error says; throws the last error. */
  private async attempt(entry: OutboxEntry, write: () => Promise<SendResult>): Promise<SendResult> {
    const result = await withRetry(
      async () => {
        const r = await write();
        if (r.ok) return r;
        throw r.error;
      },
      { maxAttempts: this.deps.maxAttempts ?? 4, logger: this.deps.logger },
    );
    await this.deps.outbox.markSent(entry.id, result.messageIds);
    return result;
  }

  private async resolveMedia(media: ExtractedMedia[]): Promise<OutboundMessage[]> {
    const out: OutboundMessage[] = [];
    for (const m of media) {
      let path = m.source;
      if (/^https?:\/\//i.test(m.source)) {
        try {
          const downloaded = await safeDownload(m.source, this.deps.mediaCache, {
            maxBytes: 20 * 1024 * 1024,
            allowPrivate: this.deps.allowPrivateMedia,
          });
          path = downloaded.path;
        } catch (err) {
          this.deps.logger.warn('image in reply not downloaded; left as a link', {
            url: m.source,
            error: (err as Error).message,
          });
          out.push({ text: m.source });
          continue;
        }
      }
      out.push({ media: [{ kind: m.kind, path, name: m.name }] });
    }
    return out;
  }
}

/**
 * An unknown outcome is normally final (the send may have landed: never repeat it). On a platform that dedupes
 * on the idempotency key, and while its window since the row was recorded lasts, the same send is repeated
 * instead: it shows once either way.
 */
function repeatableWhenKeyed(result: SendResult, entry: OutboxEntry, adapter: PlatformAdapter): SendResult {
  if (result.ok || result.error.code !== 'timeout_ambiguous' || !withinKeyWindow(entry, adapter))
    return result;
  const error = new AdapterError('network', `${result.error.message} (repeated under its idempotency key)`, {
    retryable: true,
    retryAfterMs: 0,
    ...(result.error.platform ? { platform: result.error.platform } : {}),
  });
  return { ok: false, error };
}

/** The platform still dedupes this row's key: it was recorded within its idempotency window. */
function withinKeyWindow(entry: OutboxEntry, adapter: PlatformAdapter): boolean {
  const window = adapter.capabilities.idempotentSend?.windowMs;
  return window !== undefined && Date.now() - entry.createdAt < window;
}
