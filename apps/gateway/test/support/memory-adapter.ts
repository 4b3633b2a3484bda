import type {
  AdapterContext,
  Capabilities,
  ChatRef,
  InboundMessage,
  OutboundMessage,
  PlatformAdapter,
  RequestFailure,
  SendResult,
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
    this.edits.push({ messageId, text });
    return { ok: true, messageIds: [messageId] };
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
