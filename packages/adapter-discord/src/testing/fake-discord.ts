import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AppliedFakeFault,
  type FakeDiscordFault,
  type FakeFaultMatch,
  FakeFaults,
} from './fake-faults.js';
import {
  type FakeConnectionRefusal,
  FakeGateway,
  type FakeGatewayConnection,
  type FakeGatewayFrame,
  FakeIntent,
} from './fake-gateway.js';
import { type FakeInteraction, FakeInteractions } from './fake-interactions.js';
import { apiMessage, attachmentUrl, type FakeMessage, FakeMessageStore } from './fake-messages.js';
import type { Json } from './fake-payloads.js';
import { FakeRateLimiter, type FakeRateLimitOptions } from './fake-rate-limit.js';
import {
  type FakeDelete,
  type FakeEdit,
  type FakeReaction,
  FakeRecords,
  type FakeRequest,
  type FakeThreadOpened,
  type FakeTyping,
} from './fake-records.js';
import { FakeRest, intentsFor, rateLimited, writeAnswer } from './fake-rest.js';
import { FAKE_DISCORD_IDS, FakeChannelType, type FakeDiscordIds, FakeWorld } from './fake-world.js';
import { createSnowflakes } from './snowflake.js';

export interface FakeDiscordOptions {
  /** The bot token the fake accepts (REST `Authorization: Bot …` and IDENTIFY). Default `fake-discord-token`. */
  token?: string;
  botName?: string;
  /** HELLO's heartbeat_interval. Default 41 250 ms like Discord; tests use a few hundred. */
  heartbeatIntervalMs?: number;
  /** Dispatches kept per session for RESUME. Default 10 000. */
  replayBufferSize?: number;
  /** How long a dropped session can be resumed. Default 120 s. */
  resumeWindowMs?: number;
  /** Intent bits IDENTIFY may not ask for (close 4014), e.g. FakeIntent.MessageContent. Default none. */
  disallowedIntents?: number;
  rateLimits?: FakeRateLimitOptions;
  /** Default 10 MiB, like a server without boosts. */
  maxUploadBytes?: number;
  /** The bot's own posts come back as MESSAGE_CREATE, as on Discord. Default true. */
  echoBotMessages?: boolean;
  /**
   * How long a message create's nonce is remembered: a create with `enforce_nonce` and a nonce the bot used
   * within this returns that message instead of a new one. Discord says "the past few minutes". Default
   * 120 s.
   */
  nonceWindowMs?: number;
}

/** A message a person writes, as the test describes it. */
export interface FakeUserMessageInput {
  channelId: string;
  /** Default: Alice. */
  authorId?: string;
  content: string;
  /** Puts `<@bot>` in front of the content, the way the client does for an @mention. */
  mentionBot?: boolean;
  attachments?: Array<{ filename: string; bytes: Buffer; contentType?: string }>;
  /** The message id this one replies to. */
  replyTo?: string;
  /** Message flags, e.g. 1 << 13 for a voice message. */
  flags?: number;
}

/** A message the fake accepted from the bot, in the terms a test checks. */
export interface FakeBotMessage {
  id: string;
  /** The channel, or for a thread its parent channel. */
  chatId: string;
  /** Set when the message went into a thread. */
  threadId?: string;
  channelId: string;
  content: string;
  replyTo?: string;
  nonce?: string;
  files: Array<{ name: string; bytes: Buffer; contentType?: string }>;
  at: number;
  raw: unknown;
}

export interface FakeDiscord {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** What DISCORD_API_BASE is set to: `http://127.0.0.1:PORT/api`. */
  readonly apiBase: string;
  /** `ws://127.0.0.1:PORT`, what GET /gateway/bot answers. */
  readonly gatewayUrl: string;
  readonly port: number;
  readonly token: string;
  readonly ids: FakeDiscordIds;
  readonly world: FakeWorld;

  /** A person writes a message; it is stored and dispatched as MESSAGE_CREATE (queued for RESUME while the bot is away). */
  postMessage(input: FakeUserMessageInput): FakeMessage;
  /** Any dispatch, e.g. a malformed MESSAGE_CREATE. Returns the sequence numbers used (one per session). */
  dispatch(t: string, d: unknown, requiredIntents?: number): number[];
  /** Raw text, bytes or JSON to every open gateway socket, untouched (garbage frames). */
  sendRaw(data: string | Buffer | Json): number;

  /** Kills the gateway sockets without a close frame. */
  dropConnection(): number;
  closeConnection(code: number, reason?: string): number;
  requestReconnect(): void;
  /** INVALID_SESSION now; with `resumable: false` the sessions are gone and the bot must IDENTIFY again. */
  invalidateSession(resumable?: boolean): void;
  /** The next RESUME fails with INVALID_SESSION. */
  forgetSessions(): void;
  /** Stop acknowledging heartbeats; `ignoreClose` also leaves the close handshake unanswered. */
  setZombie(on: boolean, options?: { ignoreClose?: boolean }): void;
  /** Refuse new gateway connections: `http-503` at the upgrade, or `drop-after-open`. */
  refuseConnections(mode: FakeConnectionRefusal): void;
  /** Extra already-acknowledged dispatches replayed on RESUME (duplicate delivery). */
  setReplayOverlap(count: number): void;
  /**
   * A stalled gateway: the sockets stay open but heartbeats are no longer acknowledged and no dispatch
   * is sent, on open and new connections alike, until switched back.
   */
  stopHeartbeatAcks(on?: boolean): void;

  /**
   * A person presses a button of a bot message: INTERACTION_CREATE (MESSAGE_COMPONENT) over the gateway.
   * The bot must call back within 3 s or the interaction is marked failed.
   */
  pressButton(input: { messageId: string; customId: string; userId?: string }): FakeInteraction;
  /** Sends the same INTERACTION_CREATE again (a redelivery the bot must not act on twice). */
  redeliverInteraction(id: string): number[];
  /** Every interaction so far, with its callback state. */
  readonly interactions: readonly FakeInteraction[];
  /** Resolves once the interaction is acknowledged or failed. */
  waitForInteraction(id: string, timeoutMs?: number): Promise<FakeInteraction>;

  faults: {
    next(fault: FakeDiscordFault, options?: { count?: number; match?: FakeFaultMatch }): void;
    clear(): void;
    readonly pending: number;
    readonly applied: readonly AppliedFakeFault[];
  };
  setRateLimits(options: FakeRateLimitOptions): void;
  /** 429s answered so far by the bucket or the storm (forced faults not included). */
  readonly rateLimited: number;

  readonly requests: readonly FakeRequest[];
  readonly gateway: {
    readonly connections: readonly FakeGatewayConnection[];
    readonly attempts: readonly number[];
    readonly frames: readonly FakeGatewayFrame[];
    readonly identifies: number;
    readonly resumes: number;
    openSockets(): number;
  };
  /** Messages the bot created through REST, in order. */
  botMessages(): FakeBotMessage[];
  readonly edits: readonly FakeEdit[];
  readonly reactions: readonly FakeReaction[];
  readonly typing: readonly FakeTyping[];
  readonly deletes: readonly FakeDelete[];
  readonly threads: readonly FakeThreadOpened[];

  /** Resolves once a session is READY or RESUMED on an open socket (the bot can receive). */
  waitForSession(timeoutMs?: number): Promise<void>;
  /** Resolves with the first bot message (already sent or future) that matches. */
  waitForBotMessage(match: (m: FakeBotMessage) => boolean, timeoutMs?: number): Promise<FakeBotMessage>;
  close(): Promise<void>;
}

const DEFAULT_TOKEN = 'fake-discord-token';
const API_PREFIX = '/api/v10';

/**
 * Starts a loopback fake of Discord on 127.0.0.1 and an ephemeral port: REST `/api/v10/...`, the CDN
 * path for attachments, and the gateway WebSocket on the same port. Point discord.js at it with
 * `rest: { api: fake.apiBase }` (or DISCORD_API_BASE for the Hermes adapter).
 */
export async function startFakeDiscord(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  const token = options.token ?? DEFAULT_TOKEN;
  const world = new FakeWorld(options.botName);
  const store = new FakeMessageStore();
  const records = new FakeRecords();
  const faults = new FakeFaults();
  const limiter = new FakeRateLimiter(options.rateLimits);
  const newId = createSnowflakes();
  let urls = { http: '', ws: '' };
  const gateway = new FakeGateway(
    world,
    {
      token,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      replayBufferSize: options.replayBufferSize ?? 10_000,
      resumeWindowMs: options.resumeWindowMs ?? 120_000,
      disallowedIntents: options.disallowedIntents ?? 0,
    },
    () => urls,
  );
  const interactions = new FakeInteractions(world, store, newId, () => gateway.notify());
  const rest = new FakeRest({
    world,
    store,
    gateway,
    limiter,
    records,
    interactions,
    newId,
    urls: () => urls,
    options: {
      token,
      maxUploadBytes: options.maxUploadBytes ?? 10 * 1024 * 1024,
      maxContentLength: 2000,
      echoBotMessages: options.echoBotMessages ?? true,
      nonceWindowMs: options.nonceWindowMs ?? 120_000,
    },
  });
  const pendingDelays = new Set<() => void>();
  let closing = false;

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((problem: unknown) => {
      if (!res.headersSent)
        writeAnswer(res, {
          status: 500,
          body: { message: `fake discord failed: ${(problem as Error).message}`, code: 0 },
        });
      else res.destroy();
    });
  });
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  server.on('clientError', (_e, socket) => socket.destroy());

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const recorded = await record(req);
    res.on('finish', () => {
      recorded.status = res.statusCode;
      recorded.respondedAt = Date.now();
    });
    records.requests.push(recorded);
    if (recorded.path.startsWith('/attachments/')) return serveAttachment(recorded, res);
    if (!recorded.path.startsWith(API_PREFIX)) {
      writeAnswer(res, { status: 404, body: { message: '404: Not Found', code: 0 } });
      return;
    }
    // Clients percent-encode segments (discord.js sends `users/%40me`); routes match the decoded form.
    const route = decodePath(recorded.path.slice(API_PREFIX.length) || '/');
    recorded.route = route;
    const fault = faults.take(recorded.method, route);
    if (fault) recorded.fault = fault;
    if (fault?.kind === 'drop') {
      res.socket?.destroy();
      return;
    }
    if (fault?.kind === 'delay') await delay(fault.ms);
    if (closing) return;
    if (fault?.kind === 'status') {
      writeAnswer(res, {
        status: fault.status,
        body: fault.body ?? { message: `HTTP ${fault.status}`, code: 0 },
        ...(fault.headers ? { headers: fault.headers } : {}),
      });
      return;
    }
    if (fault?.kind === 'rate-limit') {
      writeAnswer(
        res,
        rateLimited(
          fault.retryAfterSeconds,
          fault.global ?? false,
          fault.global
            ? {}
            : {
                'x-ratelimit-limit': '5',
                'x-ratelimit-remaining': '0',
                'x-ratelimit-reset-after': String(fault.retryAfterSeconds),
                'x-ratelimit-reset': ((Date.now() + fault.retryAfterSeconds * 1000) / 1000).toFixed(3),
                'x-ratelimit-bucket': 'fake-forced',
                'x-ratelimit-scope': 'user',
              },
        ),
      );
      return;
    }
    if (fault?.kind === 'garbage') {
      writeAnswer(res, { status: 200, body: '{"id": "12', headers: { 'content-type': 'application/json' } });
      return;
    }
    // Interaction callbacks carry no bot token (discord.js sends them with auth: false): the token in the path is the credential.
    const isCallback = /^\/interactions\/\d+\/[^/]+\/callback$/.test(route);
    if (!isCallback && req.headers.authorization !== `Bot ${token}`) {
      writeAnswer(res, { status: 401, body: { message: '401: Unauthorized', code: 0 } });
      return;
    }
    const answer = rest.handle(recorded, route);
    if (fault?.kind === 'drop-after') {
      res.socket?.destroy();
      return;
    }
    writeAnswer(res, answer);
  }

  function serveAttachment(req: FakeRequest, res: ServerResponse): void {
    const match = /^\/attachments\/(\d+)\/(\d+)\/([^/]+)$/.exec(req.path);
    const attachment = match
      ? store.all.flatMap((m) => m.attachments).find((a) => a.id === match[2])
      : undefined;
    if (!attachment) {
      writeAnswer(res, { status: 404, body: 'Not Found', headers: { 'content-type': 'text/plain' } });
      return;
    }
    res.writeHead(200, {
      'content-type': attachment.contentType ?? 'application/octet-stream',
      'content-length': String(attachment.bytes.length),
    });
    res.end(attachment.bytes);
  }

  function delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        pendingDelays.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      pendingDelays.add(done);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  urls = { http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` };

  const toBotMessage = (m: FakeMessage): FakeBotMessage => {
    const channel = world.channels.get(m.channelId);
    const inThread = world.isThread(channel);
    const out: FakeBotMessage = {
      id: m.id,
      chatId: inThread ? (channel?.parentId ?? m.channelId) : m.channelId,
      channelId: m.channelId,
      content: m.content,
      files: m.attachments.map((a) => ({
        name: a.filename,
        bytes: a.bytes,
        ...(a.contentType ? { contentType: a.contentType } : {}),
      })),
      at: m.createdAt,
      raw: m.request,
    };
    if (inThread) out.threadId = m.channelId;
    if (m.replyTo) out.replyTo = m.replyTo;
    if (m.nonce !== undefined) out.nonce = m.nonce;
    return out;
  };
  const botMessages = () => store.all.filter((m) => m.authorId === world.botId).map(toBotMessage);

  const waitUntil = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const first = check();
      if (first !== undefined) {
        resolve(first);
        return;
      }
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`fake discord: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const stop = gateway.onChange(() => {
        const value = check();
        if (value === undefined) return;
        clearTimeout(timer);
        stop();
        resolve(value);
      });
    });

  const fake: FakeDiscord = {
    url: urls.http,
    apiBase: `${urls.http}/api`,
    gatewayUrl: urls.ws,
    port,
    token,
    ids: FAKE_DISCORD_IDS,
    world,
    postMessage(input) {
      const channel = world.channels.get(input.channelId);
      if (!channel) throw new Error(`fake discord: unknown channel ${input.channelId}`);
      const authorId = input.authorId ?? FAKE_DISCORD_IDS.users.alice;
      const id = newId();
      const content = input.mentionBot ? `<@${world.botId}> ${input.content}` : input.content;
      const message: FakeMessage = {
        id,
        channelId: channel.id,
        authorId,
        content,
        createdAt: Date.now(),
        flags: input.flags ?? 0,
        deleted: false,
        request: input,
        attachments: (input.attachments ?? []).map((a) => {
          const attachmentId = newId();
          return {
            id: attachmentId,
            filename: a.filename,
            bytes: a.bytes,
            url: attachmentUrl(urls.http, channel.id, attachmentId, a.filename),
            ...(a.contentType ? { contentType: a.contentType } : {}),
          };
        }),
        ...(input.replyTo ? { replyTo: input.replyTo } : {}),
      };
      store.add(message);
      const api = { ...apiMessage(world, store, message), channel_type: channel.type };
      const addressed = channel.type === FakeChannelType.DM || content.includes(`<@${world.botId}>`);
      gateway.dispatch('MESSAGE_CREATE', api, intentsFor(channel), (d, intents) =>
        // Without the Message Content intent Discord blanks server messages that do not mention the bot.
        intents & FakeIntent.MessageContent || addressed
          ? d
          : { ...d, content: '', attachments: [], embeds: [] },
      );
      return message;
    },
    dispatch: (t, d, requiredIntents = 0) => gateway.dispatch(t, d as Json, requiredIntents),
    sendRaw: (data) => gateway.sendRaw(data),
    dropConnection: () => gateway.dropConnections(),
    closeConnection: (code, reason) => gateway.closeConnections(code, reason),
    requestReconnect: () => gateway.requestReconnect(),
    invalidateSession: (resumable = false) => gateway.invalidateSessions(resumable),
    forgetSessions: () => gateway.forgetSessions(),
    setZombie: (on, o) => gateway.setZombie(on, o),
    refuseConnections: (mode) => {
      gateway.refusal = mode;
    },
    setReplayOverlap: (count) => {
      gateway.replayOverlap = count;
    },
    stopHeartbeatAcks: (on = true) => gateway.setSilent(on),
    pressButton(input) {
      const interaction = interactions.create({
        messageId: input.messageId,
        customId: input.customId,
        userId: input.userId ?? FAKE_DISCORD_IDS.users.alice,
      });
      gateway.dispatch('INTERACTION_CREATE', interaction.payload);
      return interaction;
    },
    redeliverInteraction(id) {
      const interaction = interactions.get(id);
      if (!interaction) throw new Error(`fake discord: unknown interaction ${id}`);
      return gateway.dispatch('INTERACTION_CREATE', interaction.payload);
    },
    interactions: interactions.all,
    waitForInteraction: (id, timeoutMs = 5_000) =>
      waitUntil(
        () => {
          const i = interactions.get(id);
          return i && i.state !== 'pending' ? i : undefined;
        },
        timeoutMs,
        `interaction ${id} to be answered or failed`,
      ),
    faults: {
      next: (fault, o) => faults.next(fault, o),
      clear: () => faults.clear(),
      get pending() {
        return faults.pending;
      },
      applied: faults.applied,
    },
    setRateLimits: (o) => limiter.configure(o),
    get rateLimited() {
      return limiter.limited;
    },
    requests: records.requests,
    gateway: {
      connections: gateway.connections,
      attempts: gateway.attempts,
      frames: gateway.frames,
      get identifies() {
        return gateway.identifies;
      },
      get resumes() {
        return gateway.resumes;
      },
      openSockets: () => gateway.open.length,
    },
    botMessages,
    edits: records.edits,
    reactions: records.reactions,
    typing: records.typing,
    deletes: records.deletes,
    threads: records.threads,
    waitForSession(timeoutMs = 10_000) {
      return waitUntil(
        () =>
          [...gateway.sessions.values()].some(
            (s) => s.connection && !s.invalid && s.connection.closedAt === undefined,
          )
            ? true
            : undefined,
        timeoutMs,
        'a READY or RESUMED session',
      ).then(() => undefined);
    },
    waitForBotMessage(match, timeoutMs = 10_000) {
      return pollUntil(() => botMessages().find(match), timeoutMs, 'a matching bot message');
    },
    async close() {
      if (closing) return;
      closing = true;
      faults.clear();
      for (const done of pendingDelays) done();
      gateway.close();
      interactions.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
  return fake;
}

/** REST activity does not signal the gateway's change feed, so bot messages are polled. */
function pollUntil<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      const value = check();
      if (value !== undefined) {
        resolve(value);
        return;
      }
      if (Date.now() - started >= timeoutMs) {
        reject(new Error(`fake discord: timed out after ${timeoutMs} ms waiting for ${what}`));
        return;
      }
      setTimeout(tick, 10);
    };
    tick();
  });
}

function decodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

async function record(req: IncomingMessage): Promise<FakeRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    body,
    receivedAt: Date.now(),
    json<T>() {
      try {
        return JSON.parse(body.toString('utf8')) as T;
      } catch {
        throw new Error(`${req.method} ${url.pathname}: body is not JSON`);
      }
    },
    text: () => body.toString('utf8'),
  };
}
