import { type LengthUnit, type MediaKind, measureLength } from '@hermes/adapter-core';
import type { WebSocket } from 'ws';
import type { SentMessage } from '../../src/conformance/types.js';
import { startFakeServer } from '../../src/fake-server/fake-server.js';
import { respondJson, respondRaw } from '../../src/fake-server/respond.js';
import type { FakeServer, RecordedRequest } from '../../src/fake-server/types.js';
import {
  ECHO_CHAT_WS_PATH,
  type EchoChatClientFrame,
  type EchoChatKind,
  type EchoChatMe,
  type EchoChatMessageEvent,
  type EchoChatSendBody,
} from './protocol.js';

export const ECHO_CHAT_BOT: EchoChatMe = { id: 'bot-1', name: 'echo-bot' };
export const ECHO_CHAT_USER = { id: 'u-alice', name: 'alice' };

export interface EchoChatFakeOptions {
  token: string;
  /** The platform refuses texts longer than this, counted in `unit`. */
  maxLength: number;
  unit: LengthUnit;
}

interface StoredFile {
  bytes: Buffer;
  mime: string;
  name: string;
}

/** The echo-chat platform, on the testkit's fake server. */
export class EchoChatFake {
  readonly sent: SentMessage[] = [];
  readonly edits: Array<{ chatId: string; messageId: string; text: string }> = [];
  readonly deletes: Array<{ chatId: string; messageId: string }> = [];
  readonly reactions: Array<{ chatId: string; messageId: string; emoji: string }> = [];
  readonly typing: Array<{ chatId: string }> = [];
  /** Events not acked yet, in delivery order: replayed on the next connection. */
  private readonly unacked = new Map<string, EchoChatMessageEvent>();
  private readonly files = new Map<string, StoredFile>();
  private session = 0;
  private nextId = 1;

  private constructor(
    readonly server: FakeServer,
    private readonly options: EchoChatFakeOptions,
  ) {}

  static async start(options: EchoChatFakeOptions): Promise<EchoChatFake> {
    const server = await startFakeServer({ websocketPath: ECHO_CHAT_WS_PATH });
    const fake = new EchoChatFake(server, options);
    fake.wire();
    return fake;
  }

  /** Pushes an event to the connected client (or keeps it for the next connection). */
  deliver(o: {
    chat: { id: string; kind: EchoChatKind; thread?: string };
    text: string;
    mention?: boolean;
    files?: EchoChatMessageEvent['files'];
  }): EchoChatMessageEvent {
    const event: EchoChatMessageEvent = {
      type: 'message',
      id: `m${this.nextId++}`,
      chat: o.chat,
      from: ECHO_CHAT_USER,
      text: o.mention ? `@${ECHO_CHAT_BOT.name} ${o.text}` : o.text,
      mentions: o.mention ? [ECHO_CHAT_BOT.id] : [],
      ts: Math.floor(Date.now() / 1000),
      ...(o.files ? { files: o.files } : {}),
    };
    this.unacked.set(event.id, event);
    this.server.broadcast(event);
    return event;
  }

  /** Stores a file the platform will serve at `/api/files/:id`. */
  storeFile(bytes: Buffer, name: string, mime: string, kind: MediaKind) {
    const fileId = `f${this.nextId++}`;
    this.files.set(fileId, { bytes, name, mime });
    return { file_id: fileId, kind, name, mime, size: bytes.length };
  }

  private wire(): void {
    const { server } = this;
    server.onWebSocket((socket, req) => this.accept(socket, req.url ?? ''));
    const api = (
      method: string,
      pattern: RegExp,
      handler: (req: RecordedRequest, m: RegExpMatchArray) => unknown,
    ) =>
      server.route(method, pattern, (req, res) => {
        if (req.headers.authorization !== `Bearer ${this.options.token}`) {
          respondJson(res, { ok: false, error: 'invalid_auth' }, 401);
          return;
        }
        const result = handler(req, req.path.match(pattern)!);
        if (isRaw(result)) respondRaw(res, 200, result.bytes, { 'content-type': result.mime });
        else if (isRefusal(result)) respondJson(res, { ok: false, error: result.refuse }, result.status);
        else respondJson(res, { ok: true, ...(result as object) });
      });

    api('GET', /^\/api\/me$/, () => ({ me: ECHO_CHAT_BOT }));
    api('POST', /^\/api\/chats\/([^/]+)\/messages$/, (req, m) => {
      const body = req.json<EchoChatSendBody>();
      if (typeof body.text !== 'string' || body.text.length === 0)
        return { refuse: 'text_required', status: 400 };
      if (measureLength(body.text, this.options.unit) > this.options.maxLength)
        return { refuse: 'text_too_long', status: 400 };
      return { message: { id: this.record(m[1]!, body) } };
    });
    api('POST', /^\/api\/chats\/([^/]+)\/files$/, (req, m) => {
      const name = req.query.get('name') ?? 'file';
      const id = `b${this.nextId++}`;
      this.sent.push({
        chatId: m[1]!,
        mediaName: name,
        mediaBytes: req.body,
        raw: { query: req.query.toString() },
      });
      return { message: { id } };
    });
    api('PATCH', /^\/api\/chats\/([^/]+)\/messages\/([^/]+)$/, (req, m) => {
      this.edits.push({ chatId: m[1]!, messageId: m[2]!, text: req.json<{ text: string }>().text });
      return {};
    });
    api('DELETE', /^\/api\/chats\/([^/]+)\/messages\/([^/]+)$/, (_req, m) => {
      this.deletes.push({ chatId: m[1]!, messageId: m[2]! });
      return {};
    });
    api('POST', /^\/api\/chats\/([^/]+)\/messages\/([^/]+)\/reactions$/, (req, m) => {
      this.reactions.push({ chatId: m[1]!, messageId: m[2]!, emoji: req.json<{ emoji: string }>().emoji });
      return {};
    });
    api('POST', /^\/api\/chats\/([^/]+)\/typing$/, (_req, m) => {
      this.typing.push({ chatId: m[1]! });
      return {};
    });
    api('GET', /^\/api\/files\/([^/]+)$/, (_req, m) => {
      const file = this.files.get(m[1]!);
      return file
        ? { raw: true, bytes: file.bytes, mime: file.mime }
        : { refuse: 'file_not_found', status: 404 };
    });
  }

  private record(chatId: string, body: EchoChatSendBody): string {
    const id = `b${this.nextId++}`;
    const entry: SentMessage = { chatId, text: body.text, raw: body };
    if (body.thread !== undefined) entry.threadId = body.thread;
    if (body.reply_to !== undefined) entry.replyTo = body.reply_to;
    this.sent.push(entry);
    return id;
  }

  private accept(socket: WebSocket, url: string): void {
    const token = new URL(url, 'http://127.0.0.1').searchParams.get('token');
    if (token !== this.options.token) {
      socket.close(4001, 'invalid token');
      return;
    }
    this.session += 1;
    socket.send(JSON.stringify({ type: 'hello', session: this.session }));
    // At-least-once: whatever the previous connection did not ack comes again.
    for (const event of this.unacked.values()) socket.send(JSON.stringify(event));
    socket.on('message', (data) => {
      let frame: EchoChatClientFrame;
      try {
        frame = JSON.parse(data.toString()) as EchoChatClientFrame;
      } catch {
        return;
      }
      if (frame.type === 'ack') this.unacked.delete(frame.id);
      if (frame.type === 'ping') socket.send(JSON.stringify({ type: 'pong', n: frame.n }));
    });
  }
}

function isRaw(value: unknown): value is { raw: true; bytes: Buffer; mime: string } {
  return typeof value === 'object' && value !== null && 'raw' in value && 'bytes' in value;
}

function isRefusal(value: unknown): value is { refuse: string; status: number } {
  return typeof value === 'object' && value !== null && 'refuse' in value;
}
