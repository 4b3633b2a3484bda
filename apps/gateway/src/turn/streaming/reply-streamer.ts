import type {
  ChatRef,
  Logger,
  NativeReplyStream,
  OutboundMessage,
  PlatformAdapter,
  SendResult,
} from '@hermes/adapter-core';
import type { ChatBudget } from './chat-budget.js';
import { cutPoint, overLimit } from './segment-cut.js';
import type { StreamingMode } from './streaming-mode.js';

/** The first message waits for one whole word, or this long after the first token. */
const FIRST_TEXT_WAIT_MS = 300;

/** What the final delivery must reuse so the reply is never shown twice. */
export type StreamOutcome =
  | { kind: 'none' }
  | {
      kind: 'edit';
      /** Everything the model streamed. */
      text: string;
      /** The streamed prefix already shown, finished, in `frozenIds` (a message each). */
      frozenText: string;
      frozenIds: string[];
      /** The message holding the rest, to become (the first chunk of) the final tail. */
      liveId: string | undefined;
      /** What `liveId` shows now: a final equal to it needs no edit. */
      shown: string;
    }
  | { kind: 'native'; text: string; stream: NativeReplyStream };

export interface ReplyStreamerOptions {
  adapter: PlatformAdapter;
  chat: ChatRef;
  mode: Exclude<StreamingMode, 'off'>;
  budget: ChatBudget;
  logger: Logger;
  replyTo?: string;
  /** Counts every write the stream makes (the bench reads it). */
  onWrite?: (kind: 'send' | 'edit' | 'update') => void;
  /**
   * The message being streamed into and what it shows, after each write that landed (crash recovery).
   * Awaited before the next write, so the records land in the order of the writes.
   */
  onShown?: (messageId: string, text: string) => void | Promise<void>;
}

/**
 * Grows a chat reply while the model writes it: one message sent after the first word, then edited (or a
 * native stream updated) whenever the chat's budget has a token. Edits are never queued: a skipped edit is
 * simply covered by the next, which carries the whole text so far.
 */
export class ReplyStreamer {
  private text = '';
  private segStart = 0;
  private liveId: string | undefined;
  private shown = '';
  private readonly frozenIds: string[] = [];
  private native: NativeReplyStream | undefined;
  private nativeTried = false;
  private firstTokenAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private closed = false;
  /** Native refused on a platform that cannot edit: this reply goes out once, at the end. */
  private disabled = false;
  /** The last flush found no token (tool progress held it): poll gently instead of spinning. */
  private starved = false;

  constructor(private readonly o: ReplyStreamerOptions) {}

  push(delta: string): void {
    if (this.closed || !delta) return;
    this.text += delta;
    if (!this.firstTokenAt) this.firstTokenAt = Date.now();
    this.schedule();
  }

  /** Stops streaming and waits for the write in flight (so no stale edit lands after the final). */
  async settle(): Promise<StreamOutcome> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    if (this.native) return { kind: 'native', text: this.text, stream: this.native };
    if (!this.liveId && this.frozenIds.length === 0) return { kind: 'none' };
    return {
      kind: 'edit',
      text: this.text,
      frozenText: this.text.slice(0, this.segStart),
      frozenIds: [...this.frozenIds],
      liveId: this.liveId,
      shown: this.shown,
    };
  }

  private schedule(): void {
    if (this.closed || this.disabled || this.timer || this.writing) return;
    let wait = Math.max(this.o.budget.msUntilAvailable(), this.starved ? 25 : 0);
    if (!this.liveId && !this.native && this.segStart === 0 && !/\S\s/.test(this.text)) {
      if (!this.text.trim()) return;
      wait = Math.max(wait, this.firstTokenAt + FIRST_TEXT_WAIT_MS - Date.now());
    }
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.writing = this.flush()
          .catch((err: unknown) => {
            this.o.logger.warn('streamed reply not updated', { error: (err as Error).message });
          })
          .finally(() => {
            this.writing = undefined;
            if (this.pending()) this.schedule();
          });
      },
      Math.max(0, wait),
    );
    this.timer.unref();
  }

  private pending(): boolean {
    if (this.native) return this.shown !== this.text;
    const segment = this.text.slice(this.segStart);
    return segment.trim() !== '' && segment !== this.shown;
  }

  private async flush(): Promise<void> {
    if (this.closed) return;
    this.starved = !this.o.budget.tryTake();
    if (this.starved) return;
    if (this.o.mode === 'native' && !this.nativeTried) await this.openNative();
    if (this.disabled) return;
    if (this.native) {
      const text = this.text;
      this.note(await this.native.update(text), 'update');
      this.shown = text;
      return;
    }
    const segment = this.text.slice(this.segStart);
    const caps = this.o.adapter.capabilities;
    if (overLimit(segment, caps)) {
      const cut = cutPoint(segment, caps);
      const piece = segment.slice(0, cut);
      const r = await this.write(piece);
      if (!r.ok || !this.liveId) return;
      // The finished part stays as it is; the rest continues in a new message.
      this.frozenIds.push(this.liveId);
      this.liveId = undefined;
      this.shown = '';
      const rest = segment.slice(cut);
      this.segStart += cut + (rest.length - rest.trimStart().length);
      return;
    }
    await this.write(segment);
  }

  private async write(text: string): Promise<SendResult> {
    const { adapter, chat } = this.o;
    let r: SendResult;
    if (this.liveId && adapter.edit) {
      r = await adapter.edit(chat, this.liveId, text);
      this.note(r, 'edit');
    } else {
      const message: OutboundMessage = { text };
      if (chat.threadId) message.threadId = chat.threadId;
      if (this.o.replyTo && this.segStart === 0) message.replyTo = this.o.replyTo;
      r = await adapter.send(chat, message);
      this.note(r, 'send');
      if (r.ok) this.liveId = r.messageIds[0];
    }
    if (r.ok) {
      this.shown = text;
      if (this.liveId) await this.o.onShown?.(this.liveId, text);
    }
    return r;
  }

  private note(r: SendResult, kind: 'send' | 'edit' | 'update'): void {
    this.o.onWrite?.(kind);
    if (r.ok) return;
    // A 429 blocks optional writes until the platform's retry-after; the text is kept and merged.
    if (r.error.code === 'rate_limited') this.o.budget.pauseFor(r.error.retryAfterMs ?? 1000);
    else this.o.logger.warn('streamed reply write failed', { code: r.error.code, kind });
  }

  private async openNative(): Promise<void> {
    this.nativeTried = true;
    const { adapter, chat } = this.o;
    if (!adapter.startStream) return;
    const options: { replyTo?: string; threadId?: string } = {};
    if (this.o.replyTo) options.replyTo = this.o.replyTo;
    if (chat.threadId) options.threadId = chat.threadId;
    const r = await adapter.startStream(chat, options);
    if (r.ok) {
      this.native = r.stream;
      return;
    }
    if (!adapter.capabilities.edit || !adapter.edit) this.disabled = true;
    this.o.logger.info('native stream refused; streaming by edits for this reply', {
      platform: chat.platform,
      code: r.error.code,
    });
  }
}
