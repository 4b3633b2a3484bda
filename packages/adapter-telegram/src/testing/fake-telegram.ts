import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { BOT_METHODS, type FakeObservations, type MethodOutcome } from './bot-methods.js';
import type {
  FakeBotApiCall,
  FakeChat,
  FakeMessage,
  FakeSentMessage,
  FakeTelegramFault,
  FakeUser,
} from './fake-types.js';
import { FakeWorld } from './fake-world.js';
import { FakeFaultQueue } from './fault-queue.js';
import { parseParams, readAll } from './request-params.js';
import {
  buildCommandMessage,
  buildMediaMessage,
  buildTextMessage,
  type FakeMediaOptions,
  type FakeTextOptions,
} from './scripted-updates.js';
import { FakeUpdateQueue, type QueuedUpdate } from './update-queue.js';
import { WebhookDelivery } from './webhook-delivery.js';

export interface FakeTelegramOptions {
  /** Default `123456789:AAFakeTokenForLoopbackTests_0123456789`. */
  token?: string;
  bot?: { id?: number; username?: string; firstName?: string };
  /** update_id of the first update. Default 700000000. */
  firstUpdateId?: number;
  /** Upper bound on a long poll's `timeout`, in seconds. Default 50 like Telegram. */
  maxPollSeconds?: number;
}

/** What a scripted inbound message turned into. */
export interface FakeInbound {
  updateId: number;
  message: FakeMessage;
}

const MAX_BODY = 60 * 1024 * 1024;

/**
 * A Telegram Bot API server on 127.0.0.1 for offline tests, speaking the protocol the way Telegram does:
 * `POST /bot<token>/<method>` with JSON, urlencoded or multipart bodies answered with `{ok, result}` or
 * `{ok: false, error_code, description, parameters}`; getUpdates long polls that hold the request up to
 * `timeout` and confirm updates below `offset`; getFile plus `/file/bot<token>/<path>` downloads;
 * webhook delivery with the secret-token header. Every call is recorded, and faults can be injected.
 */
export class FakeTelegram {
  readonly token: string;
  readonly world: FakeWorld;
  readonly faults = new FakeFaultQueue();
  readonly calls: FakeBotApiCall[] = [];
  readonly seen: FakeObservations = {
    edits: [],
    reactions: [],
    chatActions: [],
    deletions: [],
    commands: [],
    callbackAnswers: [],
    markupEdits: [],
    drafts: [],
  };
  /** Ready-made actors: two people, another bot, a DM chat each, a supergroup and a forum. */
  readonly alice: FakeUser = { id: 1001, is_bot: false, first_name: 'Alice', username: 'alice' };
  readonly bob: FakeUser = { id: 1002, is_bot: false, first_name: 'Bob', username: 'bob_b' };
  readonly otherBot: FakeUser = { id: 5005, is_bot: true, first_name: 'Other', username: 'other_bot' };
  readonly aliceDm: FakeChat;
  readonly bobDm: FakeChat;
  readonly group: FakeChat;
  readonly forum: FakeChat;
  readonly #queue: FakeUpdateQueue;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #polls = new Set<{ res: ServerResponse; finish(status: number, body: unknown): void }>();
  readonly #maxPollSeconds: number;
  readonly #webhook: WebhookDelivery;
  /** Callback query ids handed out by pressButton → answered yet. */
  readonly #queries = new Map<string, boolean>();
  #querySeq = 0;
  #hangPolls = false;
  #connections = 0;
  #port = 0;
  #waiters = new Set<() => void>();
  readonly #listeners = new Set<(call: FakeBotApiCall) => void>();

  private constructor(options: FakeTelegramOptions) {
    this.token = options.token ?? '123456789:AAFakeTokenForLoopbackTests_0123456789';
    const bot = options.bot ?? {};
    this.world = new FakeWorld({
      id: bot.id ?? Number(this.token.split(':')[0]),
      is_bot: true,
      first_name: bot.firstName ?? 'Hermes',
      username: bot.username ?? 'hermes_test_bot',
    });
    this.#queue = new FakeUpdateQueue(options.firstUpdateId ?? 700_000_000);
    this.#maxPollSeconds = options.maxPollSeconds ?? 50;
    this.aliceDm = this.world.chat({
      id: this.alice.id,
      type: 'private',
      first_name: 'Alice',
      username: 'alice',
    });
    this.bobDm = this.world.chat({ id: this.bob.id, type: 'private', first_name: 'Bob', username: 'bob_b' });
    this.group = this.world.chat({ id: -1001000000001, type: 'supergroup', title: 'Test group' });
    this.forum = this.world.chat({
      id: -1001000000002,
      type: 'supergroup',
      title: 'Test forum',
      is_forum: true,
    });
    this.#webhook = new WebhookDelivery(this.#queue, () => this.seen.webhook);
    this.#server = createServer((req, res) => void this.#onRequest(req, res));
    this.#server.on('connection', (socket) => {
      this.#connections += 1;
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** Starts a fake on 127.0.0.1 and an ephemeral port. */
  static async start(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    const fake = new FakeTelegram(options);
    await new Promise<void>((resolve, reject) => {
      fake.#server.once('error', reject);
      fake.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = fake.#server.address();
    fake.#port = typeof address === 'object' && address ? address.port : 0;
    return fake;
  }

  /** Pass as TELEGRAM_API_ROOT / `apiRoot`. */
  get apiRoot(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  get bot(): FakeUser {
    return this.world.bot;
  }

  /** Messages the bot posted that the fake accepted, in order. */
  get sent(): FakeSentMessage[] {
    return this.world.sent;
  }

  /** Updates not yet confirmed by a getUpdates offset (or a webhook 2xx). */
  get pendingUpdates(): number {
    return this.#queue.pending;
  }

  /** TCP connections open right now / ever accepted. */
  get openConnections(): number {
    return this.#sockets.size;
  }

  get totalConnections(): number {
    return this.#connections;
  }

  /** Webhook calls made so far, with the status the receiver answered (0 when it could not be reached). */
  get webhookDeliveries(): ReadonlyArray<{ updateId: number; status: number }> {
    return this.#webhook.deliveries;
  }

  /** Calls `listener` for every Bot API call as it arrives (before it is answered). Returns an unsubscribe. */
  onCall(listener: (call: FakeBotApiCall) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  callsTo(method: string): FakeBotApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with the first call (already made or future) that matches; rejects after `timeoutMs`. */
  async waitForCall(match: (call: FakeBotApiCall) => boolean, timeoutMs = 5_000): Promise<FakeBotApiCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.calls
          .slice(-10)
          .map((c) => c.method)
          .join(', ');
        throw new Error(
          `fake Telegram: no matching call within ${timeoutMs} ms (last calls: ${seen || 'none'})`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 50));
        this.#waiters.add(wake);
      });
    }
  }

  // ---- scripting the user side ----

  /** Opens a topic in the forum (or another forum chat); returns its thread id. */
  openTopic(name: string, chat: FakeChat = this.forum, creator: FakeUser = this.alice): number {
    return this.world.openTopic(chat, name, creator).message_id;
  }

  /** A user sends text. */
  sendText(o: FakeTextOptions): FakeInbound {
    return this.#enqueue(buildTextMessage(this.world, o));
  }

  /** A user sends a command such as `/status` (or `/status@somebot`). */
  sendCommand(o: Parameters<typeof buildCommandMessage>[1]): FakeInbound {
    return this.#enqueue(buildCommandMessage(this.world, o));
  }

  /** A user sends one photo, voice note, audio file, document, video, sticker or animation. */
  sendMedia(o: FakeMediaOptions): FakeInbound {
    return this.#enqueue(buildMediaMessage(this.world, o));
  }

  /** A user sends an album: one update per item, all with the same media_group_id, caption on the first. */
  sendAlbum(
    o: Omit<FakeMediaOptions, 'kind' | 'data' | 'name' | 'mime' | 'mediaGroupId'> & {
      items: Array<Pick<FakeMediaOptions, 'kind' | 'data' | 'name' | 'mime'>>;
    },
  ): FakeInbound[] {
    const group = `album${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    return o.items.map((item, i) => {
      const options: FakeMediaOptions = { ...o, ...item, mediaGroupId: group };
      if (i > 0) delete options.caption;
      return this.sendMedia(options);
    });
  }

  /**
   * A user presses an inline button under a message the bot sent: queues a `callback_query` update as
   * Telegram builds it (the query's own id, the pressing user, the message with its keyboard, the
   * button's `callback_data`). `repeat` queues the same query again under a new update_id, as a
   * redelivery would. The bot must answer it with answerCallbackQuery.
   */
  pressButton(
    chatId: number,
    messageId: number,
    data: string,
    from: FakeUser = this.alice,
  ): FakeInbound & { callbackQueryId: string; repeat(): number } {
    const message = this.world.message(chatId, messageId);
    if (!message)
      throw new Error(`fake Telegram: no message ${messageId} in chat ${chatId} to press a button on`);
    this.#querySeq += 1;
    const callbackQueryId = `${4_000_000_000_000 + this.#querySeq}`;
    this.#queries.set(callbackQueryId, false);
    const query = {
      id: callbackQueryId,
      from,
      message: structuredClone(message),
      chat_instance: `ci${chatId}`,
      data,
    };
    const updateId = this.pushUpdate({ callback_query: query });
    return {
      updateId,
      message,
      callbackQueryId,
      repeat: () => this.pushUpdate({ callback_query: query }),
    };
  }

  /** The inline keyboard a message of the bot carries right now (undefined: none). */
  keyboardOf(chatId: number, messageId: number): unknown {
    return this.world.message(chatId, messageId)?.['reply_markup'];
  }

  /**
   * While on, getUpdates calls are received and recorded but never answered (the socket stays open):
   * a Bot API that stopped talking without closing the connection. Turning it off answers nothing
   * retroactively; held calls end when the client gives up or the fake closes.
   */
  hangPolls(on = true): void {
    this.#hangPolls = on;
  }

  /** Queues an update of any type: `update_id` is added. */
  pushUpdate(fields: Record<string, unknown>): number {
    const id = this.#queue.push((updateId) => ({ update_id: updateId, ...fields }));
    this.#webhook.kick();
    return id;
  }

  /** Queues exactly this payload (malformed ones included); it still takes a place in the order. */
  pushRaw(payload: unknown): number {
    const id = this.#queue.push(() => payload);
    this.#webhook.kick();
    return id;
  }

  /**
   * Delivers webhook calls to this local base URL (same path as the registered URL), as a TLS proxy in
   * front of the bot would. Needed when the registered URL is a public https:// one.
   */
  forwardWebhookTo(baseUrl: string): void {
    this.#webhook.forwardTo = baseUrl;
    this.#webhook.kick();
  }

  // ---- faults on the connection ----

  /** Cuts every held getUpdates request without an answer (a network drop). Returns how many. */
  dropPolls(): number {
    let count = 0;
    for (const poll of [...this.#polls]) {
      poll.res.socket?.destroy();
      this.#polls.delete(poll);
      count += 1;
    }
    return count;
  }

  async close(): Promise<void> {
    this.#webhook.close();
    this.#queue.close();
    for (const poll of this.#polls) poll.res.socket?.destroy();
    this.#polls.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  #enqueue(message: FakeMessage): FakeInbound {
    const updateId = this.#queue.push((id) => ({ update_id: id, message }));
    this.#webhook.kick();
    return { updateId, message };
  }

  #record(call: FakeBotApiCall): void {
    this.calls.push(call);
    for (const listener of this.#listeners) listener(call);
    for (const wake of [...this.#waiters]) wake();
  }

  #answer(res: ServerResponse, call: FakeBotApiCall | undefined, status: number, body: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    if (call) {
      call.status = status;
      call.respondedAt = Date.now();
    }
  }

  #outcome(res: ServerResponse, call: FakeBotApiCall, outcome: MethodOutcome): void {
    if (outcome.ok) {
      this.#answer(res, call, 200, { ok: true, result: outcome.result });
      return;
    }
    const body: Record<string, unknown> = {
      ok: false,
      error_code: outcome.status,
      description: outcome.description,
    };
    if (outcome.parameters) body['parameters'] = outcome.parameters;
    this.#answer(res, call, outcome.status, body);
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file) return this.#serveFile(res, file[1]!, decodeURIComponent(file[2]!));
    const api = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    let body: Buffer;
    try {
      body = await readAll(req, MAX_BODY);
    } catch {
      return this.#answer(res, undefined, 413, {
        ok: false,
        error_code: 413,
        description: 'Request Entity Too Large',
      });
    }
    if (!api)
      return this.#answer(res, undefined, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const call: FakeBotApiCall = { method: api[2]!, params: {}, files: [], receivedAt: Date.now() };
    try {
      const parsed = parseParams(url.searchParams, req.headers['content-type'] ?? '', body);
      call.params = parsed.params;
      call.files = parsed.files;
    } catch (error) {
      this.#record(call);
      return this.#outcome(res, call, {
        ok: false,
        status: 400,
        description: `Bad Request: ${(error as Error).message}`,
      });
    }
    this.#record(call);
    if (api[1] !== this.token)
      return this.#outcome(res, call, { ok: false, status: 401, description: 'Unauthorized' });
    const fault = this.faults.take(call);
    if (fault && (await this.#applyFault(fault, res, call))) return;
    if (call.method === 'getUpdates') {
      if (this.#hangPolls) return;
      return this.#getUpdates(res, call, fault);
    }
    const handler = BOT_METHODS[call.method];
    if (!handler)
      return this.#outcome(res, call, { ok: false, status: 404, description: 'Not Found: method not found' });
    const outcome = handler(call.params, call.files, {
      world: this.world,
      seen: this.seen,
      dropPending: () => this.#queue.dropPending(),
      answerQuery: (id) => {
        if (this.#queries.get(id) !== false) return false;
        this.#queries.set(id, true);
        return true;
      },
    });
    this.#outcome(res, call, outcome);
    if (call.method === 'setWebhook') this.#webhook.kick();
  }

  /** True when the fault answered the call (or cut it); false when the call goes on normally. */
  async #applyFault(fault: FakeTelegramFault, res: ServerResponse, call: FakeBotApiCall): Promise<boolean> {
    switch (fault.kind) {
      case 'drop':
        res.socket?.destroy();
        return true;
      case 'delay':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return false;
      case 'status':
        this.#answer(
          res,
          call,
          fault.status,
          fault.body ?? {
            ok: false,
            error_code: fault.status,
            description: fault.description ?? 'Internal Server Error',
          },
        );
        return true;
      case 'rate-limit':
        this.#answer(res, call, 429, {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${fault.retryAfterSeconds}`,
          parameters: { retry_after: fault.retryAfterSeconds },
        });
        return true;
      case 'garbage':
        this.#answer(res, call, 200, '{"ok":true,"result":[{"update_id": 1, "mess');
        return true;
      case 'replay':
        return false;
    }
  }

  /** Confirms below `offset`, then answers at once or holds the request until an update or the timeout. */
  #getUpdates(res: ServerResponse, call: FakeBotApiCall, fault: FakeTelegramFault | undefined): void {
    if (this.seen.webhook) {
      this.#outcome(res, call, {
        ok: false,
        status: 409,
        description:
          "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
      return;
    }
    // Telegram ends an older long poll when a newer one comes in.
    for (const poll of [...this.#polls]) {
      poll.finish(409, {
        ok: false,
        error_code: 409,
        description:
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      });
    }
    const p = call.params;
    const offset = Number(p['offset'] ?? 0) || 0;
    const limit = Math.min(100, Math.max(1, Number(p['limit'] ?? 100) || 100));
    const timeout = Math.min(this.#maxPollSeconds, Math.max(0, Number(p['timeout'] ?? 0) || 0));
    this.#queue.confirm(offset);
    const replayed: QueuedUpdate[] =
      fault?.kind === 'replay' ? this.#queue.recentlyConfirmed(fault.count) : [];
    const taking = this.#queue.take(offset, limit, timeout * 1000);
    const poll = {
      res,
      finish: (status: number, body: unknown) => {
        this.#polls.delete(poll);
        taking.cancel();
        this.#answer(res, call, status, body);
      },
    };
    this.#polls.add(poll);
    res.on('close', () => {
      this.#polls.delete(poll);
      taking.cancel();
    });
    void taking.result.then((updates) => {
      if (!this.#polls.has(poll)) return;
      poll.finish(200, { ok: true, result: [...replayed, ...updates].map((u) => u.payload) });
    });
  }

  #serveFile(res: ServerResponse, token: string, path: string): void {
    const stored = token === this.token ? this.world.fileAt(path) : undefined;
    if (!stored) {
      this.#answer(res, undefined, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    res.writeHead(200, {
      'content-type': stored.mime ?? 'application/octet-stream',
      'content-length': stored.data.length,
    });
    res.end(stored.data);
  }
}

/** Starts a fake Telegram Bot API server on 127.0.0.1 (see FakeTelegram). */
export function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  return FakeTelegram.start(options);
}
