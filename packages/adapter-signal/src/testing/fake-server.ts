import { randomUUID } from 'node:crypto';
import { type FakeServer, respondJson, startFakeServer } from '@hermes/adapter-testkit';
import { dataEnvelope, type FakeDataMessageParts, type FakeSignalContact } from './fake-envelopes.js';
import { FakeEventHub } from './fake-event-hub.js';
import {
  answerRpc,
  type FakeRpcState,
  type FakeSignalReaction,
  type FakeSignalSentMessage,
  type FakeSignalTyping,
} from './fake-rpc.js';

export type { FakeSignalContact } from './fake-envelopes.js';
export type { FakeSignalReaction, FakeSignalSentMessage, FakeSignalTyping } from './fake-rpc.js';

export interface FakeSignalServerOptions {
  /** The daemon's account (E.164). Default +15550000001. */
  account?: string;
  /** Its service id. Default a random uuid. */
  accountUuid?: string;
  /** A keepalive comment this often, as the daemon does every 15 s. 0 = never. Default 15 000. */
  keepAliveMs?: number;
  /** Events rewound after a stream ends (see FakeEventHub). Default 3. */
  replayOverlap?: number;
}

export interface FakeDeliverOptions {
  /** Sender number; default +15550002222. */
  from?: string;
  fromUuid?: string;
  fromName?: string;
  quote?: FakeDataMessageParts['quote'];
}

/**
 * A loopback stand-in for `signal-cli daemon --http`: `GET /api/v1/events` (SSE, `event:receive`,
 * `data:{account, envelope}`), `POST /api/v1/rpc` (JSON-RPC 2.0: send, sendTyping, sendReaction,
 * getAttachment, getUserStatus, version) and `GET /api/v1/check`. The shapes follow signal-cli's
 * JsonMessageEnvelope and its man page signal-cli-jsonrpc(5).
 */
export interface FakeSignalServer {
  /** Pass as `httpUrl` in the adapter config. */
  readonly url: string;
  /** The underlying toolkit server: recorded requests, fault injection. */
  readonly server: FakeServer;
  readonly account: string;
  readonly accountUuid: string;
  /** Pushes a DM; resolves with the envelope's timestamp once it is written (or queued). */
  deliverDm(text: string, o?: FakeDeliverOptions): Promise<number>;
  /** A group message; with `mention` the body starts with U+FFFC and a mention of the account. */
  deliverGroup(text: string, o: FakeDeliverOptions & { mention: boolean; groupId?: string }): Promise<number>;
  /** A DM with one attachment the daemon "stored"; getAttachment returns its bytes. */
  deliverMedia(
    o: FakeDeliverOptions & { bytes: Buffer; name: string; mime: string; text?: string },
  ): Promise<number>;
  /** Any envelope, wrapped as `{account, envelope}`. */
  deliverEnvelope(envelope: unknown): Promise<void>;
  /** A raw `data:` line (one line, no newline). */
  deliverRaw(data: string): Promise<void>;
  /** Data that is not JSON, then JSON without an envelope, then an envelope with a wrong type. */
  deliverMalformed(): Promise<void>;
  /** Kills every open event stream's socket (no clean end). */
  dropStreams(): void;
  /** While silent: no events, no keepalives (a stream that looks open but is dead). */
  setSilent(silent: boolean): void;
  /** The next `send` calls answer signal-cli's rate-limit error (-5) with this retryAfterSeconds. */
  rateLimitNextSend(retryAfterSeconds: number, count?: number): void;
  /** When the last rate-limited send and the next accepted one arrived. */
  rateLimitObservation(): { limitedAt: number; retriedAt: number } | undefined;
  sentMessages(): FakeSignalSentMessage[];
  typing(): FakeSignalTyping[];
  reactions(): FakeSignalReaction[];
  readonly openStreams: number;
  readonly totalStreams: number;
  close(): Promise<void>;
}

export async function startFakeSignalServer(
  options: FakeSignalServerOptions = {},
): Promise<FakeSignalServer> {
  const server = await startFakeServer();
  const account = options.account ?? '+15550000001';
  const accountUuid = options.accountUuid ?? randomUUID();
  const hub = new FakeEventHub({
    replayOverlap: options.replayOverlap ?? 3,
    keepAliveMs: options.keepAliveMs ?? 15_000,
  });
  let lastTimestamp = 0;
  const nextTimestamp = () => {
    lastTimestamp = Math.max(Date.now(), lastTimestamp + 1);
    return lastTimestamp;
  };
  const state: FakeRpcState = {
    account,
    accountUuid,
    sent: [],
    typing: [],
    reactions: [],
    attachments: new Map(),
    rateLimits: [],
    rateLimited: [],
    nextTimestamp,
  };
  const contacts = new Map<string, string>();
  const contact = (o: FakeDeliverOptions = {}): FakeSignalContact => {
    const number = o.from ?? '+15550002222';
    let uuid = o.fromUuid ?? contacts.get(number);
    if (uuid === undefined) {
      uuid = randomUUID();
      contacts.set(number, uuid);
    }
    return { number, uuid, ...(o.fromName ? { name: o.fromName } : {}) };
  };

  server.route('GET', '/api/v1/check', (_req, res) => {
    res.writeHead(200, { 'content-length': '0' });
    res.end();
  });
  server.route('GET', '/api/v1/events', (req, res) => {
    const wanted = req.query.get('account');
    if (wanted !== null && wanted !== '' && wanted !== account) {
      res.writeHead(400, { 'content-length': '0' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    const lastEventId = req.headers['last-event-id'];
    hub.attach(res, typeof lastEventId === 'string' ? lastEventId : undefined);
  });
  server.route('POST', '/api/v1/rpc', (req, res) => {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      res.writeHead(415, { 'content-length': '0' });
      res.end();
      return;
    }
    let request: unknown;
    try {
      request = JSON.parse(req.text());
    } catch (error) {
      respondJson(res, {
        jsonrpc: '2.0',
        error: { code: -32700, message: `Parse error: ${(error as Error).message}`, data: null },
        id: null,
      });
      return;
    }
    const answer = Array.isArray(request)
      ? request.map((r) => answerRpc(state, r))
      : answerRpc(state, request);
    respondJson(res, answer);
  });

  const push = async (envelope: unknown) => {
    hub.push(JSON.stringify({ envelope, account }));
  };
  const deliver = async (from: FakeSignalContact, parts: FakeDataMessageParts): Promise<number> => {
    const timestamp = nextTimestamp();
    await push(dataEnvelope(from, timestamp, parts));
    return timestamp;
  };

  return {
    url: server.url,
    server,
    account,
    accountUuid,
    deliverDm: (text, o = {}) =>
      deliver(contact(o), { message: text, ...(o.quote ? { quote: o.quote } : {}) }),
    deliverGroup: (text, o) => {
      const parts: FakeDataMessageParts = { groupId: o.groupId ?? 'Z3JvdXAtb25lLWZha2U=', message: text };
      if (o.mention) {
        parts.message = `\ufffc ${text}`;
        parts.mentions = [{ start: 0, length: 1, uuid: accountUuid, number: account }];
      }
      if (o.quote) parts.quote = o.quote;
      return deliver(contact(o), parts);
    },
    deliverMedia: (o) => {
      const id = `${randomUUID().replaceAll('-', '').slice(0, 20)}.${o.name.split('.').pop() ?? 'bin'}`;
      state.attachments.set(id, { bytes: o.bytes, mime: o.mime, name: o.name });
      return deliver(contact(o), {
        ...(o.text ? { message: o.text } : {}),
        attachments: [{ id, contentType: o.mime, filename: o.name, size: o.bytes.length }],
      });
    },
    deliverEnvelope: push,
    deliverRaw: async (data) => {
      if (/[\r\n]/.test(data)) throw new Error('deliverRaw: the data must be one line');
      hub.push(data);
    },
    deliverMalformed: async () => {
      hub.push('{"envelope": {"sourceNumber": "+1555000');
      hub.push(JSON.stringify({ account, note: 'no envelope here' }));
      hub.push(JSON.stringify({ account, envelope: { sourceNumber: 42, timestamp: 'yesterday' } }));
    },
    dropStreams: () => hub.drop(),
    setSilent: (silent) => hub.setSilent(silent),
    rateLimitNextSend: (retryAfterSeconds, count = 1) => {
      for (let i = 0; i < count; i += 1) state.rateLimits.push(retryAfterSeconds);
    },
    rateLimitObservation: () => {
      const limited = state.rateLimited.at(-1);
      if (!limited) return undefined;
      const retry = state.sent.find((m) => m.timestamp >= limited.at);
      return retry ? { limitedAt: limited.at, retriedAt: retry.timestamp } : undefined;
    },
    sentMessages: () => [...state.sent],
    typing: () => [...state.typing],
    reactions: () => [...state.reactions],
    get openStreams() {
      return hub.openStreams;
    },
    get totalStreams() {
      return hub.totalStreams;
    },
    close: async () => {
      hub.close();
      await server.close();
    },
  };
}
