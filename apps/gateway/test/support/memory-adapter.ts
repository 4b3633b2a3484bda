import type {
  AdapterContext,
  Capabilities,
  ChatRef,
  InboundAction,
  InboundMessage,
  NativeReplyStream,
  OutboundMessage,
  PlatformAdapter,
  RequestFailure,
  SendResult,
  StartStreamResult,
  ToolProgressReport,
  TurnUsage,
} from '@hermes/adapter-core';
import { AdapterError } from '@hermes/adapter-core';

export interface SentRecord {
  chat: ChatRef;
  message: OutboundMessage;
  id: string;
}

/**
 * An in-process platform for host tests: what the host sends is recorded, what a test injects is handed to
 * the host exactly as a real adapter would. Platform wire behaviour is tested in each adapter package.
 */
export class MemoryAdapter implements PlatformAdapter {
  readonly capabilities: Capabilities;
  readonly sent: SentRecord[] = [];
  readonly edits: Array<{ messageId: string; text: string }> = [];
  ctx: AdapterContext | undefined;
  failNextSends: AdapterError[] = [];
  /** Failures the next edits return, in order (e.g. rate_limited with retryAfterMs). */
  failNextEdits: AdapterError[] = [];
  private seq = 0;

  constructor(
    readonly platform = 'memory',
    caps: Partial<Capabilities> = {},
  ) {
    this.capabilities = {
      maxMessageLength: 4000,
      lengthUnit: 'char',
      markdown: 'markdown',
      edit: true,
      delete: false,
      typing: false,
      reactions: false,
      threads: true,
      media: { send: ['image', 'file'], receive: ['image', 'file'] },
      ...caps,
    };
  }

  async start(ctx: AdapterContext): Promise<void> {
    this.ctx = ctx;
  }

  async stop(): Promise<void> {
    this.ctx = undefined;
  }

  async send(chat: ChatRef, message: OutboundMessage): Promise<SendResult> {
    const failure = this.failNextSends.shift();
    if (failure) return { ok: false, error: failure };
    const id = `m${++this.seq}`;
    this.sent.push({ chat, message, id });
    return { ok: true, messageIds: [id] };
  }

  async edit(_chat: ChatRef, messageId: string, text: string): Promise<SendResult> {
    const failure = this.failNextEdits.shift();
    if (failure) return { ok: false, error: failure };
    this.edits.push({ messageId, text });
    return { ok: true, messageIds: [messageId] };
  }

  /** What the chat shows now: every sent message with its last edit, in order. */
  shown(): Array<{ id: string; text: string }> {
    return this.sent.map((s) => {
      const last = [...this.edits].reverse().find((e) => e.messageId === s.id);
      return { id: s.id, text: last ? last.text : (s.message.text ?? '') };
    });
  }

  /** Delivers a message as the platform would. */
  inject(partial: {
    id?: string;
    text: string;
    userId?: string;
    chatId?: string;
    chatType?: ChatRef['chatType'];
    threadId?: string;
    mentionsBot?: boolean;
    /** Typed contract fields a platform of another kind fills (request, deliverTo, turnLimits). */
    extra?: Pick<InboundMessage, 'request' | 'deliverTo' | 'turnLimits'>;
  }): InboundMessage {
    if (!this.ctx) throw new AdapterError('not_connected', 'memory adapter not started');
    const chat: ChatRef = {
      platform: this.platform,
      chatId: partial.chatId ?? 'chat-1',
      chatType: partial.chatType ?? 'dm',
    };
    if (partial.threadId) chat.threadId = partial.threadId;
    const msg: InboundMessage = {
      id: partial.id ?? `in-${++this.seq}`,
      chat,
      sender: { id: partial.userId ?? 'user-1', name: 'Alice' },
      text: partial.text,
      mentionsBot: partial.mentionsBot ?? false,
      attachments: [],
      receivedAt: new Date(),
      raw: null,
      ...partial.extra,
    };
    this.ctx.receive(msg);
    return msg;
  }

  /** Hands over a message built by the test (a merged batch), as the platform would. */
  deliver(msg: InboundMessage): Promise<void> {
    if (!this.ctx) throw new AdapterError('not_connected', 'memory adapter not started');
    return this.ctx.receive(msg) ?? Promise.resolve();
  }

  texts(): string[] {
    return this.sent.map((s) => s.message.text ?? '').filter(Boolean);
  }
}

/** A request/reply platform in memory: records failures and usage the host reports for waiting requests. */
export class MemoryRequestAdapter extends MemoryAdapter {
  readonly failures: Array<{ chat: ChatRef; failure: RequestFailure }> = [];
  readonly usage: TurnUsage[] = [];

  constructor(platform = 'memreq') {
    super(platform, { requestReply: true, edit: true });
  }

  reportUsage(_chat: ChatRef, usage: TurnUsage): boolean {
    this.usage.push(usage);
    return true;
  }

  reportToolProgress(_chat: ChatRef, _progress: ToolProgressReport): boolean {
    return true;
  }

  failRequest(chat: ChatRef, failure: RequestFailure): boolean {
    this.failures.push({ chat, failure });
    return true;
  }
}

// ---- Buttons (contract v2: OutboundMessage.actions, InboundAction, settleActions) -------------------------

export interface SettledRecord {
  chat: ChatRef;
  messageId: string;
  outcome: string;
}

/**
 * A chat platform with buttons: what the host sends keeps its `actions` (in `sent`), `press` hands a button
 * press to the host as a real adapter does after acknowledging it, and `settleActions` calls are recorded.
 */
export class MemoryButtonsAdapter extends MemoryAdapter {
  readonly settled: SettledRecord[] = [];
  private pressSeq = 0;

  constructor(platform = 'memory', caps: Partial<Capabilities> = {}) {
    super(platform, { ...caps, buttons: true });
  }

  async settleActions(chat: ChatRef, messageId: string, outcome: string): Promise<SendResult> {
    this.settled.push({ chat, messageId, outcome });
    return { ok: true, messageIds: [messageId] };
  }

  /** The last message sent with buttons, if any. */
  lastWithActions(): SentRecord | undefined {
    return [...this.sent].reverse().find((s) => s.message.actions?.length);
  }

  /** Presses a button of a sent message. `pressId` defaults to a fresh one; reuse it to simulate a redelivery. */
  press(
    messageId: string,
    actionId: string,
    o: { userId?: string; name?: string; pressId?: string } = {},
  ): InboundAction {
    if (!this.ctx) throw new AdapterError('not_connected', 'memory adapter not started');
    const record = this.sent.find((s) => s.id === messageId);
    if (!record) throw new Error(`no sent message ${messageId}`);
    const action: InboundAction = {
      id: o.pressId ?? `press-${++this.pressSeq}`,
      chat: record.chat,
      sender: { id: o.userId ?? 'user-1', name: o.name ?? 'Alice' },
      messageId,
      actionId,
      receivedAt: new Date(),
      raw: null,
    };
    this.ctx.receiveAction?.(action);
    return action;
  }
}

// ---- Native streaming (contract v2: capabilities.nativeStreaming, startStream) -----------------------------

export interface NativeStreamRecord {
  chat: ChatRef;
  updates: string[];
  finished?: string;
  aborted?: string;
}

/**
 * A chat platform with a native streaming API: each stream records the whole-text updates and how it ended.
 * `refuse` makes startStream answer `unsupported` (as a platform does for a group chat).
 */
export class MemoryNativeStreamAdapter extends MemoryAdapter {
  readonly streams: NativeStreamRecord[] = [];
  refuse = false;

  constructor(platform = 'memory', caps: Partial<Capabilities> = {}) {
    super(platform, { ...caps, nativeStreaming: true });
  }

  async startStream(
    chat: ChatRef,
    _options: { replyTo?: string; threadId?: string },
  ): Promise<StartStreamResult> {
    if (this.refuse)
      return { ok: false, error: new AdapterError('unsupported', 'native streaming is not available here') };
    const record: NativeStreamRecord = { chat, updates: [] };
    this.streams.push(record);
    const id = `ns${this.streams.length}`;
    const stream: NativeReplyStream = {
      update: async (text) => {
        record.updates.push(text);
        return { ok: true, messageIds: [id] };
      },
      finish: async (text) => {
        record.finished = text;
        return { ok: true, messageIds: [id] };
      },
      abort: async (note) => {
        record.aborted = note;
        return { ok: true, messageIds: [id] };
      },
    };
    return { ok: true, stream };
  }
}
