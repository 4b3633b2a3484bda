import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerWebApi, type FakeAuth, type FakeIdentity, type FakeWebApiState } from './fake-web-api.js';
import { type SlackFakeFault, SlackFakeFaults } from './faults.js';
import { parseBody, readBody } from './http-body.js';
import type {
  SlackFakeDelete,
  SlackFakeHostedFile,
  SlackFakePost,
  SlackFakeReaction,
  SlackFakeRequest,
  SlackFakeStream,
  SlackFakeUpdate,
  SlackFakeUpload,
} from './records.js';
import { escapeSlackText, SlackIdSource } from './slack-ids.js';
import { type SlackFakeDelivery, type SlackFakeEnvelope, SocketModeHub } from './socket-mode-hub.js';

export interface SlackFakeServerOptions {
  botToken?: string;
  appToken?: string;
  identity?: Partial<FakeIdentity>;
  /** Slack redelivers an envelope that was not acknowledged within 3 s. */
  ackTimeoutMs?: number;
  /** Redeliveries before the fake gives up on an event, like Slack (3). */
  maxRetries?: number;
  /** Server-side WebSocket pings; 0 = none. */
  pingIntervalMs?: number;
  /** chat.postMessage refuses longer text with msg_too_long (Slack: 40,000). */
  maxTextLength?: number;
  /** Only these channels exist; default: any channel id is accepted. */
  channels?: string[];
  /** Send the bot's own posts back as message events, as Slack does when the app gets message.* events. */
  echoBotMessages?: boolean;
  /** false: chat.startStream fails like it does for an app without Slack's AI features. Default true. */
  nativeStreaming?: boolean;
  /** Randomness for the 429 storm. */
  random?: () => number;
}

export interface SlackFakeMessageInput {
  channel: string;
  text: string;
  user?: string;
  /** Default from the channel id: D… → im, G… → group, else channel. */
  channelType?: 'im' | 'mpim' | 'channel' | 'group';
  threadTs?: string;
  ts?: string;
  /** Puts `<@BOT>` in front of the text, the way the Slack client writes a mention. */
  mention?: boolean;
  files?: Array<Record<string, unknown>>;
  botId?: string;
  subtype?: string;
  eventId?: string;
}

const DEFAULT_IDENTITY: FakeIdentity = {
  botUserId: 'U0FAKEBOT',
  botId: 'B0FAKEBOT',
  botName: 'hermes',
  teamId: 'T0FAKE',
  teamName: 'Fake Workspace',
  appId: 'A0FAKEAPP',
};

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

function channelTypeOf(channel: string): 'im' | 'group' | 'channel' {
  if (channel.startsWith('D')) return 'im';
  if (channel.startsWith('G')) return 'group';
  return 'channel';
}

/**
 * A loopback Slack for offline tests: the Web API (`POST /api/<method>`, form or JSON, bearer tokens
 * checked per method like Slack), file upload URLs and private file downloads, and Socket Mode
 * (apps.connections.open → `ws://…/link`, hello, events_api and slash_commands envelopes, acks within a
 * deadline, redelivery with a new envelope id and retry_attempt + 1, disconnect messages). Records
 * everything; faults script 429s, Slack errors, dropped sockets and garbage.
 */
export class SlackFakeServer {
  readonly botToken: string;
  readonly appToken: string;
  readonly identity: FakeIdentity;
  readonly requests: SlackFakeRequest[] = [];
  readonly posts: SlackFakePost[] = [];
  readonly updates: SlackFakeUpdate[] = [];
  readonly deletes: SlackFakeDelete[] = [];
  readonly reactions: SlackFakeReaction[] = [];
  readonly uploads: SlackFakeUpload[] = [];
  readonly streams: SlackFakeStream[] = [];
  readonly faults: SlackFakeFaults;
  readonly #ids = new SlackIdSource();
  readonly #hub: SocketModeHub;
  readonly #files = new Map<string, SlackFakeHostedFile>();
  readonly #tickets = new Set<string>();
  readonly #state: FakeWebApiState;
  readonly #server: Server;
  readonly #echo: boolean;
  readonly #postListeners = new Set<(post: SlackFakePost) => void>();
  #url = '';

  private constructor(o: SlackFakeServerOptions) {
    this.botToken = o.botToken ?? 'xoxb-fake-bot-token';
    this.appToken = o.appToken ?? 'xapp-1-fake-app-token';
    this.identity = { ...DEFAULT_IDENTITY, ...o.identity };
    this.faults = new SlackFakeFaults(o.random);
    this.#echo = o.echoBotMessages ?? false;
    this.#hub = new SocketModeHub({
      ids: this.#ids,
      appId: this.identity.appId,
      ackTimeoutMs: o.ackTimeoutMs ?? 3_000,
      maxRetries: o.maxRetries ?? 3,
      pingIntervalMs: o.pingIntervalMs ?? 0,
      takeTicket: (ticket) => ticket !== null && this.#tickets.delete(ticket),
    });
    this.#state = {
      identity: this.identity,
      ids: this.#ids,
      baseUrl: () => this.#url,
      maxTextLength: o.maxTextLength ?? 40_000,
      knownChannels: o.channels ? new Set(o.channels) : undefined,
      posts: this.posts,
      updates: this.updates,
      deletes: this.deletes,
      reactions: this.reactions,
      uploads: this.uploads,
      streams: this.streams,
      nativeStreaming: o.nativeStreaming ?? true,
      staged: new Map(),
      issueTicket: () => {
        const ticket = randomBytes(12).toString('hex');
        this.#tickets.add(ticket);
        return ticket;
      },
      onBotPost: (post) => {
        for (const listener of this.#postListeners) listener(post);
        if (this.#echo) this.#echoPost(post);
      },
    };
    this.#server = createServer((req, res) => {
      this.#route(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      });
    });
    this.#server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      if (path === '/link' || path === '/link/') this.#hub.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
  }

  static async start(o: SlackFakeServerOptions = {}): Promise<SlackFakeServer> {
    const fake = new SlackFakeServer(o);
    await new Promise<void>((resolve, reject) => {
      fake.#server.once('error', reject);
      fake.#server.listen(0, '127.0.0.1', () => resolve());
    });
    fake.#url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** `http://127.0.0.1:PORT` */
  get url(): string {
    return this.#url;
  }

  /** What to give the SDKs as `slackApiUrl` (SLACK_API_URL). */
  get apiUrl(): string {
    return `${this.#url}/api/`;
  }

  get envelopes(): readonly SlackFakeEnvelope[] {
    return this.#hub.envelopes;
  }

  get acks(): SocketModeHub['acks'] {
    return this.#hub.acks;
  }

  /** Frames from clients that were neither JSON nor an ack of a known envelope. */
  get strayFrames(): readonly string[] {
    return this.#hub.strayFrames;
  }

  /** WebSocket connections accepted since start. */
  get connectionCount(): number {
    return this.#hub.connectionCount;
  }

  get openSockets(): number {
    return this.#hub.openSockets;
  }

  /** Events still waiting for an ack. */
  get unacked(): SlackFakeDelivery[] {
    return this.#hub.unacked;
  }

  /** Calls `listener` for every message chat.postMessage accepts from now on; returns the unsubscribe. */
  onPost(listener: (post: SlackFakePost) => void): () => void {
    this.#postListeners.add(listener);
    return () => this.#postListeners.delete(listener);
  }

  /** Resolves with the first accepted post (already there or future) that matches. */
  waitForPost(match: (post: SlackFakePost) => boolean, timeoutMs = 5_000): Promise<SlackFakePost> {
    const found = this.posts.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(
          new Error(
            `fake Slack: no matching chat.postMessage within ${timeoutMs} ms (${this.posts.length} posts so far)`,
          ),
        );
      }, timeoutMs);
      const off = this.onPost((post) => {
        if (!match(post)) return;
        clearTimeout(timer);
        off();
        resolve(post);
      });
    });
  }

  postsIn(channel: string): SlackFakePost[] {
    return this.posts.filter((p) => p.channel === channel);
  }

  /** Delivers any event as an events_api envelope; returns its delivery (acked / abandoned / done). */
  event(event: Record<string, unknown>, o: { eventId?: string } = {}): SlackFakeDelivery {
    const eventId = o.eventId ?? this.#ids.id('Ev');
    const payload = {
      token: 'verification-token-unused-in-socket-mode',
      team_id: this.identity.teamId,
      api_app_id: this.identity.appId,
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: this.identity.teamId, user_id: this.identity.botUserId, is_bot: true }],
      is_ext_shared_channel: false,
      event_context: `4-${randomBytes(8).toString('hex')}`,
    };
    return this.#hub.deliver('events_api', eventId, payload);
  }

  /** A user's message as Slack's `message` event (text escaped as Slack does). */
  message(m: SlackFakeMessageInput): SlackFakeDelivery {
    return this.event(this.#messageEvent('message', m), m.eventId ? { eventId: m.eventId } : {});
  }

  /**
   * A mention the way Slack delivers it to an app subscribed to both message.* and app_mention: a
   * `message` and an `app_mention` event with the same ts and different event ids.
   */
  mention(
    m: Omit<SlackFakeMessageInput, 'mention'>,
    o: { only?: 'app_mention' | 'message' } = {},
  ): SlackFakeDelivery[] {
    const ts = m.ts ?? this.#ids.ts();
    const input = { ...m, ts, mention: true };
    const out: SlackFakeDelivery[] = [];
    if (o.only !== 'app_mention') out.push(this.event(this.#messageEvent('message', input)));
    if (o.only !== 'message') {
      const appMention = this.#messageEvent('app_mention', input);
      delete appMention['channel_type'];
      out.push(this.event(appMention));
    }
    return out;
  }

  slashCommand(c: { command: string; text: string; channel: string; user?: string }): SlackFakeDelivery {
    const triggerId = `${Date.now()}.${randomBytes(6).toString('hex')}`;
    return this.#hub.deliver('slash_commands', triggerId, {
      token: 'unused',
      team_id: this.identity.teamId,
      team_domain: 'fake-workspace',
      channel_id: c.channel,
      channel_name: c.channel.startsWith('D') ? 'directmessage' : 'general',
      user_id: c.user ?? 'U0USER',
      user_name: (c.user ?? 'U0USER').toLowerCase(),
      command: c.command,
      text: c.text,
      api_app_id: this.identity.appId,
      response_url: `${this.#url}/commands/${triggerId}`,
      trigger_id: triggerId,
    });
  }

  /**
   * A user pressing a button of a bot message: a `block_actions` interactive envelope, keyed (for
   * redeliver) by its trigger id. The acks are in `acks` like any other envelope's.
   */
  pressButton(b: {
    channel: string;
    messageTs: string;
    actionId: string;
    user?: string;
    threadTs?: string;
    blockId?: string;
    triggerId?: string;
  }): SlackFakeDelivery {
    const triggerId = b.triggerId ?? `${Date.now()}.${randomBytes(6).toString('hex')}`;
    const user = b.user ?? 'U0USER';
    const post = this.posts.find((p) => p.channel === b.channel && p.ts === b.messageTs);
    const container: Record<string, unknown> = {
      type: 'message',
      message_ts: b.messageTs,
      channel_id: b.channel,
      is_ephemeral: false,
    };
    const message: Record<string, unknown> = {
      type: 'message',
      user: this.identity.botUserId,
      bot_id: this.identity.botId,
      ts: b.messageTs,
      text: post?.text ?? '',
      blocks: post?.blocks ?? [],
    };
    const threadTs = b.threadTs ?? post?.threadTs;
    if (threadTs) {
      container['thread_ts'] = threadTs;
      message['thread_ts'] = threadTs;
    }
    const block = post?.blocks?.find((x) => x['type'] === 'actions');
    const button = (block?.['elements'] as Array<Record<string, unknown>> | undefined)?.find(
      (e) => e['action_id'] === b.actionId,
    );
    return this.#hub.deliver('interactive', triggerId, {
      type: 'block_actions',
      user: {
        id: user,
        username: user.toLowerCase(),
        name: user.toLowerCase(),
        team_id: this.identity.teamId,
      },
      api_app_id: this.identity.appId,
      token: 'unused',
      container,
      trigger_id: triggerId,
      team: { id: this.identity.teamId, domain: 'fake-workspace' },
      channel: { id: b.channel, name: b.channel.startsWith('D') ? 'directmessage' : 'general' },
      message,
      response_url: `${this.#url}/actions/${triggerId}`,
      actions: [
        {
          type: 'button',
          action_id: b.actionId,
          block_id: b.blockId ?? (typeof block?.['block_id'] === 'string' ? block['block_id'] : 'unknown'),
          value: typeof button?.['value'] === 'string' ? button['value'] : b.actionId,
          text: button?.['text'] ?? { type: 'plain_text', text: b.actionId },
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    });
  }

  /** Hosts a file and returns the `files[]` entry a message event carries for it. */
  shareFile(f: { bytes: Buffer; name: string; mimetype: string }): Record<string, unknown> {
    const id = this.#ids.id('F');
    this.#files.set(id, { id, name: f.name, mimetype: f.mimetype, bytes: f.bytes });
    const base = `${this.#url}/files-pri/${this.identity.teamId}-${id}`;
    return {
      id,
      name: f.name,
      title: f.name,
      mimetype: f.mimetype,
      filetype: f.name.split('.').pop() ?? 'binary',
      size: f.bytes.length,
      mode: 'hosted',
      url_private: `${base}/${encodeURIComponent(f.name)}`,
      url_private_download: `${base}/download/${encodeURIComponent(f.name)}`,
    };
  }

  /** Sends a delivered event again (new envelope id, retry_attempt + 1), as Slack does after a lost ack. */
  redeliver(eventId: string, reason = 'timeout'): boolean {
    return this.#hub.redeliver(eventId, reason);
  }

  /** Raw data on the newest socket (a Buffer goes as a binary frame): garbage, hand-made envelopes. */
  sendRaw(data: string | Buffer | Record<string, unknown>): boolean {
    return this.#hub.sendRaw(typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data));
  }

  /** Slack's `{type: "disconnect", reason}`, then the server closes the socket after `closeAfterMs`. */
  requestDisconnect(
    reason: 'refresh_requested' | 'warning' | 'link_disabled' | string = 'refresh_requested',
    closeAfterMs = 200,
  ): number {
    return this.#hub.requestDisconnect(reason, closeAfterMs);
  }

  /** The server stops reading its sockets (no pongs, no close handshake): a half-dead connection. */
  stallSockets(): number {
    return this.#hub.stallSockets();
  }

  /**
   * Slack goes quiet but keeps the TCP connections: no pings, no envelopes, no pongs, nothing closed.
   * What a stalled connection looks like to the liveness watchdog.
   */
  goSilent(): number {
    return this.#hub.goSilent();
  }

  /** Kills every Socket Mode connection without a close frame. */
  dropSockets(): number {
    return this.#hub.dropSockets();
  }

  /** Shorthand for `faults.next(method, fault, count)`. */
  failNext(method: string, fault: SlackFakeFault, count = 1): void {
    this.faults.next(method, fault, count);
  }

  async close(): Promise<void> {
    await this.#hub.close();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #messageEvent(type: 'message' | 'app_mention', m: SlackFakeMessageInput): Record<string, unknown> {
    const ts = m.ts ?? this.#ids.ts();
    const body = escapeSlackText(m.text);
    const event: Record<string, unknown> = {
      type,
      channel: m.channel,
      user: m.user ?? 'U0USER',
      text: m.mention ? `<@${this.identity.botUserId}> ${body}` : body,
      ts,
      event_ts: ts,
      team: this.identity.teamId,
      client_msg_id: randomBytes(16).toString('hex'),
    };
    if (type === 'message') event['channel_type'] = m.channelType ?? channelTypeOf(m.channel);
    if (m.threadTs) event['thread_ts'] = m.threadTs;
    if (m.files) {
      event['files'] = m.files;
      event['subtype'] = m.subtype ?? 'file_share';
    } else if (m.subtype) event['subtype'] = m.subtype;
    if (m.botId) event['bot_id'] = m.botId;
    return event;
  }

  #echoPost(post: SlackFakePost): void {
    const event: Record<string, unknown> = {
      type: 'message',
      channel: post.channel,
      user: this.identity.botUserId,
      bot_id: this.identity.botId,
      text: post.text,
      ts: post.ts,
      event_ts: post.ts,
      channel_type: channelTypeOf(post.channel),
    };
    if (post.threadTs) event['thread_ts'] = post.threadTs;
    this.event(event);
  }

  #auth(req: IncomingMessage, params: Record<string, unknown>): FakeAuth {
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ')
      ? header.slice(7)
      : typeof params['token'] === 'string'
        ? params['token']
        : '';
    if (!token) return 'none';
    if (sameSecret(token, this.botToken)) return 'bot';
    if (sameSecret(token, this.appToken)) return 'app';
    return 'invalid';
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.#url);
    const raw = await readBody(req, 1100 * 1024 * 1024);
    const record: SlackFakeRequest = {
      method: url.pathname,
      httpMethod: req.method ?? 'GET',
      path: url.pathname,
      auth: 'none',
      params: {},
      headers: { ...req.headers },
      receivedAt: Date.now(),
    };
    this.requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    if (url.pathname.startsWith('/api/') && req.method === 'POST')
      return this.#api(req, res, raw, record, url.pathname.slice(5));
    if (url.pathname.startsWith('/upload/v1/') && req.method === 'POST')
      return this.#upload(req, res, raw, url.pathname.slice(11));
    if (url.pathname.startsWith('/files-pri/') && req.method === 'GET')
      return this.#download(req, res, url.pathname);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }

  async #api(
    req: IncomingMessage,
    res: ServerResponse,
    raw: Buffer,
    record: SlackFakeRequest,
    method: string,
  ): Promise<void> {
    record.method = method;
    let params: Record<string, unknown>;
    try {
      params = (await parseBody(raw, req.headers['content-type'])).params;
    } catch {
      return json(res, 200, { ok: false, error: 'invalid_form_data' }, record);
    }
    record.params = params;
    record.auth = this.#auth(req, params);
    const fault = this.faults.take(method);
    if (fault) record.fault = fault.kind;
    switch (fault?.kind) {
      case 'rate-limit':
        res.setHeader('retry-after', String(fault.retryAfterSeconds));
        return json(res, 429, { ok: false, error: 'ratelimited' }, record);
      case 'error':
        return json(res, 200, { ok: false, error: fault.error }, record);
      case 'http':
        return json(res, fault.status, fault.body ?? { ok: false, error: 'http_error' }, record);
      case 'drop':
        res.socket?.destroy();
        return;
      case 'delay':
        await new Promise((r) => setTimeout(r, fault.ms));
        break;
    }
    const answer = answerWebApi(this.#state, method, record.auth, params);
    if (fault?.kind === 'drop-after') {
      res.socket?.destroy();
      return;
    }
    if (fault?.kind === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok": tru');
      return;
    }
    json(res, 200, answer, record);
  }

  #upload(req: IncomingMessage, res: ServerResponse, raw: Buffer, fileId: string): Promise<void> | void {
    const staged = this.#state.staged.get(decodeURIComponent(fileId));
    if (!staged) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('unknown upload');
      return;
    }
    return parseBody(raw, req.headers['content-type']).then((body) => {
      // Raw bytes, or a multipart form with one file part (what the SDK's filesUploadV2 sends).
      const part = [...body.files.values()][0];
      staged.bytes = part ? part.bytes : raw;
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${staged.bytes.length}`);
    });
  }

  #download(req: IncomingMessage, res: ServerResponse, path: string): void {
    const match = /^\/files-pri\/[^/]+-([^/]+)\//.exec(path);
    const file = match ? this.#files.get(match[1]!) : undefined;
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('file not found');
      return;
    }
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ') || !sameSecret(header.slice(7), this.botToken)) {
      // Slack answers an unauthenticated file request with its sign-in page, never the file.
      res.writeHead(403, { 'content-type': 'text/html' }).end('<html>sign in to Slack</html>');
      return;
    }
    res
      .writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.bytes.length) })
      .end(file.bytes);
  }
}

function json(res: ServerResponse, status: number, body: unknown, record: SlackFakeRequest): void {
  if (typeof body === 'object' && body !== null && (body as { ok?: unknown }).ok === false) {
    const error = (body as { error?: unknown }).error;
    if (typeof error === 'string') record.error = error;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/** Starts a fake Slack on 127.0.0.1 and an ephemeral port. */
export function startSlackFakeServer(o: SlackFakeServerOptions = {}): Promise<SlackFakeServer> {
  return SlackFakeServer.start(o);
}
