import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { encryptWecomMedia } from '../aes.js';
import { WecomCmd, WecomErrcode } from '../constants.js';
import type { WecomCallbackBody } from '../frames.js';
import { createWecomUploadLedger, type WecomFakeUpload } from './fake-uploads.js';

export interface WecomFakeServerOptions {
  botId?: string;
  secret?: string;
  /** Passive replies with a req_id issued on an earlier connection get 846605, as WeCom does after a reconnect. */
  staleReqIdAfterReconnect?: boolean;
  /** `aibot_send_msg` into a group gets 600039 (WeCom refuses proactive group posts the bot was not asked for). */
  refuseProactiveGroupSends?: boolean;
  /** Markdown/text content longer than this is refused (the adapter's own limit). */
  maxContentChars?: number;
}

/** One frame the client sent, as received. */
export interface WecomFakeFrame {
  connection: number;
  at: number;
  cmd: string;
  reqId: string;
  body: Record<string, unknown>;
  raw: string;
}

/** A passive or proactive message the fake accepted (errcode 0) or refused. */
export interface WecomFakeReply {
  via: 'respond' | 'send';
  connection: number;
  at: number;
  reqId: string;
  /** The chat it landed in: from the callback of the req_id (passive) or `chatid` (proactive). */
  chatId: string;
  /** msgid of the callback answered passively. */
  inReplyTo?: string;
  msgtype: string;
  content?: string;
  mediaId?: string;
  mediaName?: string;
  errcode: number;
  body: Record<string, unknown>;
}

export interface WecomFakeSubscription {
  connection: number;
  deviceId: string;
  botId: string;
  errcode: number;
  at: number;
}

/** Fields of a callback the test wants to set; everything else gets a sensible default. */
export type WecomFakeMessage = Partial<Omit<WecomCallbackBody, 'from'>> & {
  from?: string;
  text?: string | { content?: string };
};

interface Issued {
  connection: number;
  chatId: string;
  msgid: string;
  group: boolean;
}

interface Injection {
  cmds: readonly string[];
  count: number;
  action: { kind: 'error'; errcode: number; errmsg: string } | { kind: 'swallow' };
}

interface Outcome {
  errcode: number;
  errmsg: string;
  body?: Record<string, unknown>;
}

interface HostedMedia {
  data: Buffer;
  contentType: string;
  filename?: string;
  status: number;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function hex(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

/** A fresh 43-character WeCom aeskey (base64 of 32 random bytes, without the trailing `=`). */
export function generateWecomAesKey(): string {
  return randomBytes(32).toString('base64').replace(/=+$/, '');
}

/**
 * A loopback WeCom AI-bot gateway: the frames, answers and error codes of `wss://openws.work.weixin.qq.com`,
 * plus an HTTP side that serves (optionally AES-encrypted) media. Everything a client sends is recorded;
 * faults are injected per command.
 */
export class WecomFakeServer {
  readonly frames: WecomFakeFrame[] = [];
  readonly replies: WecomFakeReply[] = [];
  readonly subscriptions: WecomFakeSubscription[] = [];
  /** Faults applied: which request got an injected errcode (or was swallowed), and when. */
  readonly injected: Array<{ cmd: string; reqId: string; at: number; errcode?: number }> = [];
  /** Text frames the fake could not parse (garbage from the client). */
  readonly garbage: string[] = [];
  readonly #uploads = createWecomUploadLedger();
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #options: Required<WecomFakeServerOptions>;
  readonly #sockets = new Map<WebSocket, number>();
  /** Sockets with a live subscription, including one closing gracefully (its last frames still count). */
  readonly #subscribed = new Set<WebSocket>();
  readonly #issued = new Map<string, Issued>();
  readonly #groups = new Set<string>();
  readonly #queue: string[] = [];
  readonly #media = new Map<string, HostedMedia>();
  readonly #qr = new Map<string, 'waiting' | 'success' | 'expired'>();
  #qrPolls = 0;
  readonly #listeners = new Set<() => void>();
  readonly #cancels = new Set<() => void>();
  readonly #replyListeners = new Set<(reply: WecomFakeReply) => void>();
  #injections: Injection[] = [];
  #active: { socket: WebSocket; connection: number } | undefined;
  #nextConnection = 0;
  #pingsSilenced = false;
  #port = 0;

  private constructor(options: WecomFakeServerOptions) {
    this.#options = {
      botId: options.botId ?? 'fake-bot-id',
      secret: options.secret ?? 'fake-bot-secret',
      staleReqIdAfterReconnect: options.staleReqIdAfterReconnect ?? true,
      refuseProactiveGroupSends: options.refuseProactiveGroupSends ?? true,
      maxContentChars: options.maxContentChars ?? 4000,
    };
    this.#http = createServer((req, res) => this.#serveMedia(req, res));
    this.#wss = new WebSocketServer({ server: this.#http });
    this.#wss.on('connection', (socket) => this.#accept(socket));
  }

  static async start(options: WecomFakeServerOptions = {}): Promise<WecomFakeServer> {
    const server = new WecomFakeServer(options);
    await new Promise<void>((resolve, reject) => {
      server.#http.once('error', reject);
      server.#http.listen(0, '127.0.0.1', () => resolve());
    });
    server.#port = (server.#http.address() as AddressInfo).port;
    return server;
  }

  get botId(): string {
    return this.#options.botId;
  }
  get secret(): string {
    return this.#options.secret;
  }
  get port(): number {
    return this.#port;
  }
  /** Give this to the adapter as `websocketUrl`. */
  get url(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }
  get httpUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }
  /** Sockets ever accepted. */
  get connectionCount(): number {
    return this.#nextConnection;
  }
  /** Open sockets, subscribed or not. */
  get openSockets(): number {
    return this.#sockets.size;
  }
  get isSubscribed(): boolean {
    return this.#active !== undefined;
  }
  /** Callbacks waiting for a subscribed socket. */
  get queued(): number {
    return this.#queue.length;
  }
  get uploads(): ReadonlyMap<string, WecomFakeUpload> {
    return this.#uploads.uploads;
  }
  /** Uploaded files by media_id. */
  mediaById(mediaId: string): { type: string; filename: string; data: Buffer } | undefined {
    return this.#uploads.media.get(mediaId);
  }

  /** Sends an `aibot_msg_callback` to the subscribed bot (queued until one subscribes). */
  deliver(message: WecomFakeMessage = {}, options: { cmd?: string } = {}): { reqId: string; msgid: string } {
    const { from, text, ...rest } = message;
    const chattype = rest.chattype ?? (rest.chatid ? 'group' : 'single');
    const userid = from ?? 'fake-user';
    const body: Record<string, unknown> = {
      msgid: hex(12),
      aibotid: this.#options.botId,
      chattype,
      msgtype: 'text',
      ...rest,
      from: { userid },
    };
    if (text !== undefined) body['text'] = typeof text === 'string' ? { content: text } : text;
    const reqId = `${options.cmd ?? WecomCmd.msgCallback}-${hex()}`;
    const chatId = chattype === 'group' ? String(rest.chatid ?? '') : userid;
    if (chattype === 'group') this.#groups.add(chatId);
    this.#issued.set(reqId, {
      connection: -1,
      chatId,
      msgid: String(body['msgid']),
      group: chattype === 'group',
    });
    this.#push(
      JSON.stringify({ cmd: options.cmd ?? WecomCmd.msgCallback, headers: { req_id: reqId }, body }),
      reqId,
    );
    return { reqId, msgid: String(body['msgid']) };
  }

  /**
   * A text callback. `chatId` is the chat as the adapter names it: the sender's id (or nothing) for a
   * DM, a group chat id for a group message (WeCom puts `chatid` only on group callbacks).
   */
  deliverText(text: string, o: { from?: string; chatId?: string; msgid?: string } = {}) {
    const from = o.from ?? 'fake-user';
    const group = o.chatId !== undefined && o.chatId !== from;
    return this.deliver({
      text,
      from,
      ...(group ? { chatid: o.chatId, chattype: 'group' } : { chattype: 'single' }),
      ...(o.msgid ? { msgid: o.msgid } : {}),
    });
  }

  /** An `aibot_event_callback` (enter_chat, disconnected_event, …). */
  deliverEvent(eventtype: string, body: Record<string, unknown> = {}): void {
    this.#push(
      JSON.stringify({
        cmd: WecomCmd.eventCallback,
        headers: { req_id: `event-${hex()}` },
        body: { eventtype, ...body },
      }),
    );
  }

  /** Writes anything (garbage, half frames, unknown cmds) to the subscribed socket. */
  deliverRaw(text: string): void {
    this.#active?.socket.send(text);
  }

  /**
   * The next `count` requests of `cmd` (or of any of several cmds, e.g. respond and send) get this
   * errcode instead of being processed. Each use is recorded in `injected`.
   */
  failNext(
    cmd: string | readonly string[],
    errcode: number,
    errmsg = 'injected by the fake',
    count = 1,
  ): void {
    this.#injections.push({
      cmds: typeof cmd === 'string' ? [cmd] : cmd,
      count,
      action: { kind: 'error', errcode, errmsg },
    });
  }

  /** The next `count` requests of `cmd` are recorded and processed but never answered (ambiguous timeout). */
  swallowNext(cmd: string | readonly string[], count = 1): void {
    this.#injections.push({
      cmds: typeof cmd === 'string' ? [cmd] : cmd,
      count,
      action: { kind: 'swallow' },
    });
  }

  clearFaults(): void {
    this.#injections = [];
    this.#pingsSilenced = false;
  }

  /** Stop (or resume) answering pings: the socket stays open but looks dead, like WeCom's 57–79 s stalls. */
  silencePings(silenced = true): void {
    this.#pingsSilenced = silenced;
  }

  /** The server forgets the subscription but keeps the socket: later commands get 846609. */
  dropSubscription(): void {
    if (this.#active) this.#subscribed.delete(this.#active.socket);
    this.#active = undefined;
  }

  /** Ends every socket: `close` with a close frame (gateway restart), `terminate` without (network cut). */
  dropConnections(mode: 'close' | 'terminate' = 'close'): void {
    for (const socket of this.#sockets.keys()) {
      if (mode === 'close') socket.close(1001, 'fake gateway restart');
      else socket.terminate();
    }
    this.#active = undefined;
  }

  /** Serves bytes at a loopback URL; with `aeskey` they are AES-encrypted the way WeCom stores media. */
  hostMedia(
    data: Buffer,
    o: { aeskey?: string; contentType?: string; filename?: string; status?: number } = {},
  ): string {
    const id = hex(8);
    this.#media.set(id, {
      data: o.aeskey ? encryptWecomMedia(data, o.aeskey) : data,
      contentType: o.contentType ?? 'application/octet-stream',
      ...(o.filename ? { filename: o.filename } : {}),
      status: o.status ?? 200,
    });
    return `${this.httpUrl}/media/${id}`;
  }

  /** Called for every passive or proactive message the fake answers (accepted or refused). Returns an unsubscribe. */
  onReply(listener: (reply: WecomFakeReply) => void): () => void {
    this.#replyListeners.add(listener);
    return () => this.#replyListeners.delete(listener);
  }

  /**
   * Resolves when `check` holds: re-checked on every frame the fake receives and every 10 ms (for
   * conditions on the client's side); rejects after `timeoutMs`.
   */
  waitUntil<T>(check: () => T | undefined | false, timeoutMs = 5_000, what = 'condition'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const first = check();
      if (first) return resolve(first);
      const listener = () => {
        const value = check();
        if (!value) return;
        cleanup();
        resolve(value);
      };
      const poll = setInterval(listener, 10);
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`WeCom fake: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.#listeners.delete(listener);
        this.#cancels.delete(cancel);
      };
      const cancel = () => {
        cleanup();
        reject(new Error(`WeCom fake: closed while waiting for ${what}`));
      };
      this.#listeners.add(listener);
      this.#cancels.add(cancel);
    });
  }

  waitForSubscribe(count = 1, timeoutMs = 5_000): Promise<WecomFakeSubscription> {
    return this.waitUntil(
      () => this.subscriptions.filter((s) => s.errcode === 0)[count - 1],
      timeoutMs,
      `${count} subscription(s)`,
    );
  }

  waitForReply(
    match: (r: WecomFakeReply) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<WecomFakeReply> {
    return this.waitUntil(() => this.replies.find((r) => r.errcode === 0 && match(r)), timeoutMs, 'a reply');
  }

  waitForFrame(match: (f: WecomFakeFrame) => boolean, timeoutMs = 5_000): Promise<WecomFakeFrame> {
    return this.waitUntil(() => this.frames.find(match), timeoutMs, 'a frame');
  }

  async close(): Promise<void> {
    for (const cancel of [...this.#cancels]) cancel();
    for (const socket of this.#sockets.keys()) socket.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    this.#http.closeAllConnections();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  #push(frame: string, reqId?: string): void {
    const active = this.#active;
    // A socket the client is closing would swallow the frame: hold it for the next subscription.
    if (!active || active.socket.readyState !== active.socket.OPEN) {
      this.#queue.push(frame);
      return;
    }
    if (reqId) this.#stamp(reqId, active.connection);
    active.socket.send(frame);
  }

  #stamp(reqId: string, connection: number): void {
    const issued = this.#issued.get(reqId);
    if (issued) issued.connection = connection;
  }

  #accept(socket: WebSocket): void {
    const connection = ++this.#nextConnection;
    this.#sockets.set(socket, connection);
    socket.on('message', (data, isBinary) =>
      this.#onFrame(socket, connection, isBinary ? '' : data.toString()),
    );
    socket.on('close', () => {
      this.#sockets.delete(socket);
      this.#subscribed.delete(socket);
      if (this.#active?.socket === socket) this.#active = undefined;
      this.#notify();
    });
    socket.on('error', () => {});
    this.#notify();
  }

  #answer(socket: WebSocket, reqId: string, outcome: Outcome, cmd?: string): void {
    if (socket.readyState !== socket.OPEN) return;
    const frame: Record<string, unknown> = {
      headers: { req_id: reqId },
      errcode: outcome.errcode,
      errmsg: outcome.errmsg,
    };
    if (cmd) frame['cmd'] = cmd;
    if (outcome.body !== undefined) frame['body'] = outcome.body;
    socket.send(JSON.stringify(frame));
  }

  #takeInjection(cmd: string, reqId: string): Injection['action'] | undefined {
    const found = this.#injections.find((i) => i.cmds.includes(cmd) && i.count > 0);
    if (!found) return undefined;
    found.count--;
    this.#injections = this.#injections.filter((i) => i.count > 0);
    this.injected.push({
      cmd,
      reqId,
      at: Date.now(),
      ...(found.action.kind === 'error' ? { errcode: found.action.errcode } : {}),
    });
    return found.action;
  }

  #onFrame(socket: WebSocket, connection: number, raw: string): void {
    let parsed: { cmd?: unknown; headers?: { req_id?: unknown }; body?: unknown };
    try {
      parsed = JSON.parse(raw);
    } catch {
      this.garbage.push(raw);
      this.#notify();
      return;
    }
    const cmd = typeof parsed.cmd === 'string' ? parsed.cmd : '';
    const reqId = typeof parsed.headers?.req_id === 'string' ? parsed.headers.req_id : '';
    const body =
      typeof parsed.body === 'object' && parsed.body !== null ? (parsed.body as Record<string, unknown>) : {};
    this.frames.push({ connection, at: Date.now(), cmd, reqId, body, raw });
    try {
      this.#dispatch(socket, connection, cmd, reqId, body);
    } finally {
      this.#notify();
    }
  }

  /** What the fake answers to one request; undefined when it stays silent (a silenced ping). */
  #dispatch(
    socket: WebSocket,
    connection: number,
    cmd: string,
    reqId: string,
    body: Record<string, unknown>,
  ): void {
    if (!reqId) {
      this.#answer(socket, '', { errcode: 40058, errmsg: 'headers.req_id is required' });
      return;
    }
    if (cmd === WecomCmd.ping) {
      if (!this.#pingsSilenced) this.#answer(socket, reqId, { errcode: 0, errmsg: 'ok' }, WecomCmd.pong);
      return;
    }
    const injected = this.#takeInjection(cmd, reqId);
    if (injected?.kind === 'error') {
      this.#answer(socket, reqId, { errcode: injected.errcode, errmsg: injected.errmsg });
      return;
    }
    const outcome = this.#process(socket, connection, cmd, reqId, body);
    if (injected?.kind !== 'swallow') this.#answer(socket, reqId, outcome);
  }

  #process(
    socket: WebSocket,
    connection: number,
    cmd: string,
    reqId: string,
    body: Record<string, unknown>,
  ): Outcome {
    if (cmd === WecomCmd.subscribe) return this.#subscribe(socket, connection, body);
    if (!this.#subscribed.has(socket))
      return { errcode: WecomErrcode.notSubscribed, errmsg: 'aibot websocket not subscribed' };
    switch (cmd) {
      case WecomCmd.respond:
      case WecomCmd.send:
        return this.#message(cmd, connection, reqId, body);
      case WecomCmd.uploadInit:
      case WecomCmd.uploadChunk:
      case WecomCmd.uploadFinish: {
        const result = this.#uploads.handle(cmd, body);
        return result.ok
          ? { errcode: 0, errmsg: 'ok', body: result.body }
          : { errcode: result.errcode, errmsg: result.errmsg };
      }
      default:
        return { errcode: 40058, errmsg: `unknown cmd ${cmd || '(none)'}` };
    }
  }

  #subscribe(socket: WebSocket, connection: number, body: Record<string, unknown>): Outcome {
    const botId = String(body['bot_id'] ?? '');
    const ok =
      safeEqual(botId, this.#options.botId) && safeEqual(String(body['secret'] ?? ''), this.#options.secret);
    const deviceId = String(body['device_id'] ?? '');
    // A subscribe that arrives on a socket we are already closing cannot be acked: it does not count.
    const outcome: Outcome = !ok
      ? { errcode: WecomErrcode.invalidSecret, errmsg: 'invalid secret' }
      : socket.readyState !== socket.OPEN
        ? { errcode: WecomErrcode.notSubscribed, errmsg: 'socket is closing' }
        : { errcode: 0, errmsg: 'ok' };
    this.subscriptions.push({ connection, deviceId, botId, errcode: outcome.errcode, at: Date.now() });
    if (outcome.errcode !== 0) return outcome;
    const previous = this.#active;
    this.#active = { socket, connection };
    this.#subscribed.add(socket);
    if (previous && previous.socket !== socket) {
      this.#subscribed.delete(previous.socket);
      // A newer subscription replaces the old session, which is told so and closed.
      previous.socket.send(
        JSON.stringify({
          cmd: WecomCmd.eventCallback,
          headers: { req_id: `event-${hex()}` },
          body: { eventtype: 'disconnected_event' },
        }),
      );
      previous.socket.close(1000, 'replaced by a newer subscription');
    }
    // The ack goes out first; queued callbacks follow it on the next tick.
    setImmediate(() => this.#flushQueue(socket, connection));
    return outcome;
  }

  #flushQueue(socket: WebSocket, connection: number): void {
    if (this.#active?.socket !== socket || socket.readyState !== socket.OPEN) return;
    for (const frame of this.#queue.splice(0)) {
      const reqId = (JSON.parse(frame) as { headers: { req_id: string } }).headers.req_id;
      this.#stamp(reqId, connection);
      socket.send(frame);
    }
  }

  #message(cmd: string, connection: number, reqId: string, body: Record<string, unknown>): Outcome {
    const via = cmd === WecomCmd.respond ? 'respond' : 'send';
    const msgtype = String(body['msgtype'] ?? '');
    const part = (body[msgtype] ?? {}) as Record<string, unknown>;
    const reply: WecomFakeReply = {
      via,
      connection,
      at: Date.now(),
      reqId,
      chatId: '',
      msgtype,
      errcode: 0,
      body,
    };
    if (typeof part['content'] === 'string') reply.content = part['content'];
    if (typeof part['media_id'] === 'string') reply.mediaId = part['media_id'];
    const problem = this.#route(via, connection, reqId, body, reply) ?? this.#checkContent(msgtype, reply);
    reply.errcode = problem?.errcode ?? 0;
    this.replies.push(reply);
    for (const listener of this.#replyListeners) listener(reply);
    return problem ?? { errcode: 0, errmsg: 'ok' };
  }

  /** Fills in the chat a message lands in; refuses stale tokens and proactive group posts. */
  #route(
    via: 'respond' | 'send',
    connection: number,
    reqId: string,
    body: Record<string, unknown>,
    reply: WecomFakeReply,
  ): Outcome | undefined {
    if (via === 'respond') {
      const issued = this.#issued.get(reqId);
      if (!issued || (this.#options.staleReqIdAfterReconnect && issued.connection !== connection)) {
        return { errcode: WecomErrcode.staleReqId, errmsg: 'invalid req_id' };
      }
      reply.chatId = issued.chatId;
      reply.inReplyTo = issued.msgid;
      return undefined;
    }
    const chatId = body['chatid'];
    if (typeof chatId !== 'string' || !chatId) return { errcode: 40058, errmsg: 'chatid is required' };
    reply.chatId = chatId;
    if (this.#options.refuseProactiveGroupSends && this.#groups.has(chatId)) {
      return {
        errcode: WecomErrcode.noPermission,
        errmsg: 'no permission to send proactive message to this chat',
      };
    }
    return undefined;
  }

  #checkContent(msgtype: string, reply: WecomFakeReply): { errcode: number; errmsg: string } | undefined {
    if (msgtype === 'markdown' || msgtype === 'text') {
      if (!reply.content) return { errcode: 40058, errmsg: `${msgtype}.content is required` };
      if ([...reply.content].length > this.#options.maxContentChars) {
        return { errcode: 40058, errmsg: `content longer than ${this.#options.maxContentChars} characters` };
      }
      return undefined;
    }
    if (msgtype === 'image' || msgtype === 'file' || msgtype === 'voice' || msgtype === 'video') {
      const media = reply.mediaId ? this.#uploads.media.get(reply.mediaId) : undefined;
      if (!media) return { errcode: 40007, errmsg: 'invalid media_id' };
      if (media.type !== msgtype)
        return { errcode: 40007, errmsg: `media_id is a ${media.type}, not a ${msgtype}` };
      reply.mediaName = media.filename;
      return undefined;
    }
    return { errcode: WecomErrcode.noPermission, errmsg: `unsupported msgtype ${msgtype || '(none)'}` };
  }

  /** The QR "scan to create" flow: marks the latest QR code as confirmed; the poll then gets this bot's credentials. */
  confirmQr(): void {
    const scode = [...this.#qr.keys()].at(-1);
    if (scode) this.#qr.set(scode, 'success');
  }

  /** QR polls the fake answered, with their scode. */
  get qrPolls(): number {
    return this.#qrPolls;
  }

  #serveQr(url: URL, res: ServerResponse): void {
    let data: Record<string, unknown>;
    if (url.pathname === '/ai/qc/generate') {
      const scode = hex(8);
      this.#qr.set(scode, 'waiting');
      data = { scode, auth_url: `${this.httpUrl}/ai/qc/auth?scode=${scode}` };
    } else {
      this.#qrPolls++;
      const status = this.#qr.get(url.searchParams.get('scode') ?? '') ?? 'expired';
      data =
        status === 'success'
          ? { status, bot_info: { botid: this.#options.botId, secret: this.#options.secret } }
          : { status };
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ errcode: 0, errmsg: 'ok', data }));
  }

  #serveMedia(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.httpUrl);
    if (url.pathname.startsWith('/ai/qc/')) {
      this.#serveQr(url, res);
      return;
    }
    const id = /^\/media\/([0-9a-f]+)$/.exec(req.url ?? '')?.[1];
    const media = id ? this.#media.get(id) : undefined;
    if (!media) {
      res.writeHead(404).end('not found');
      return;
    }
    const headers: Record<string, string | number> = {
      'content-type': media.contentType,
      'content-length': media.data.length,
    };
    if (media.filename) headers['content-disposition'] = `attachment; filename="${media.filename}"`;
    res.writeHead(media.status, headers).end(media.data);
  }
}

export function startWecomFakeServer(options: WecomFakeServerOptions = {}): Promise<WecomFakeServer> {
  return WecomFakeServer.start(options);
}
