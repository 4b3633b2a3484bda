import { randomUUID } from 'node:crypto';
import {
  type FakeServer,
  type RecordedRequest,
  respondJson,
  respondRaw,
  startFakeServer,
} from '@hermes/adapter-testkit';
import {
  type FakeDingtalkUser,
  type FakeRobotContent,
  fakeDingtalkUser,
  fakeRobotMessage,
} from './fake-robot-message.js';
import { FakeDingtalkStream, type FakeDingtalkStreamStats } from './fake-stream.js';

const ROBOT_TOPIC = '/v1.0/im/bot/messages/get';
const TOKEN_HEADER = 'x-acs-dingtalk-access-token';

/** A message the fake accepted from the adapter, in the conformance suite's terms. */
export interface FakeDingtalkSentMessage {
  /** A DM's staff id, or a group's open conversation id. */
  chatId: string;
  text?: string;
  /** For image and file messages: the uploaded file's name and bytes. */
  mediaName?: string;
  mediaBytes?: Buffer;
  raw: unknown;
}

/** Every send attempt the fake saw, accepted or not. */
export interface FakeDingtalkSend {
  route: 'webhook' | 'user' | 'group';
  chatId: string;
  text: string;
  accepted: boolean;
  at: number;
}

/** A text emotion the robot put on (or took off) a user's message. */
export interface FakeDingtalkReaction {
  action: 'reply' | 'recall';
  /** The chat as the adapter names it: a DM's staff id or the group's conversation id. */
  chatId: string;
  msgId: string;
  name: string;
}

/** An AI Card as the fake rendered it: the last full content written, and whether it was finalized. */
export interface FakeDingtalkCard {
  outTrackId: string;
  openSpaceId: string;
  templateId: string;
  content: string;
  updates: number;
  finalized: boolean;
  error: boolean;
}

export interface FakeDingtalkOptions {
  clientId?: string;
  clientSecret?: string;
  robotCode?: string;
  /** How long the session webhooks of delivered messages live (DingTalk: about 90 minutes). */
  webhookTtlMs?: number;
  /** Access token lifetime in seconds (DingTalk: 7200). */
  tokenTtlSeconds?: number;
  /** Staff ids of the organisation's members; others are invalid for proactive DMs. Default alice, bob. */
  users?: string[];
  /** Called for every send attempt as it arrives (benchmarks time round trips with it). */
  onSend?(send: FakeDingtalkSend): void;
}

export interface FakeDeliverOptions {
  staffId?: string;
  msgId?: string;
  /** Overrides the session webhook's expiry (epoch ms): in the past to simulate an expired one. */
  webhookExpiresAt?: number;
  /** Puts this URL in the message as its session webhook instead of the fake's own. */
  sessionWebhook?: string;
}

export interface FakeGroupDeliverOptions extends FakeDeliverOptions {
  mention: boolean;
  conversationId?: string;
  title?: string;
}

/** A loopback DingTalk: Stream Mode socket, token, robot send, session webhook and file routes. */
export interface FakeDingtalkServer {
  /** Pass as `apiBase` (DINGTALK_API_BASE) in the adapter config. */
  readonly url: string;
  readonly server: FakeServer;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly robotCode: string;
  readonly botUserId: string;
  /** Users who wrote to the bot so far, by staff id. */
  user(staffId: string): FakeDingtalkUser;
  /** Pushes a DM from `staffId` (default `alice`); resolves with its msgId. */
  deliverDm(text: string, o?: FakeDeliverOptions): Promise<string>;
  /** Pushes a group message; with `mention` DingTalk flags the bot in isInAtList and strips the @name. */
  deliverGroup(text: string, o: FakeGroupDeliverOptions): Promise<string>;
  /** Pushes any robot message type (picture, richText, audio, file) as a DM or group message. */
  deliverContent(
    content: FakeRobotContent,
    o?: FakeDeliverOptions & { group?: { conversationId: string; mention: boolean } },
  ): Promise<string>;
  /** Garbage: a frame that is not JSON, one without headers, and a robot message without required fields. */
  deliverMalformed(): Promise<void>;
  /** Any text as a frame on the live socket. */
  deliverRaw(text: string): void;
  /** A SYSTEM frame (`ping`, `disconnect`). */
  deliverSystem(topic: string): void;
  /** Serves bytes as an inbound file; resolves the downloadCode the robot API turns into a URL. */
  hostFile(bytes: Buffer, o: { mime: string }): string;
  /** Cuts the Stream socket: `close` with a close frame, `terminate` like a network cut. */
  dropConnections(mode?: 'close' | 'terminate'): number;
  /** The next `count` sends answer DingTalk's throttling (130101 on webhooks, 403 QpsLimit on the API). */
  throttleNextSends(count?: number): void;
  /** Every access token issued so far stops working (DingTalk rotated it). */
  revokeTokens(): void;
  /** Every session webhook handed out so far is refused from now on, whatever its announced expiry. */
  expireSessions(): void;
  readonly streamOnline: boolean;
  streamStats(): FakeDingtalkStreamStats;
  /** Topic lists the client subscribed with, one per connections/open. */
  readonly subscriptions: readonly string[][];
  /** Every send attempt, accepted or refused, in arrival order. */
  readonly sends: readonly FakeDingtalkSend[];
  /** What the fake accepted, in order. */
  sentMessages(): FakeDingtalkSentMessage[];
  /** Emotion replies and recalls, in order. */
  readonly reactions: readonly FakeDingtalkReaction[];
  /** AI Cards by outTrackId. */
  readonly cards: ReadonlyMap<string, FakeDingtalkCard>;
  close(): Promise<void>;
}

interface Session {
  chatId: string;
  expiresAt: number;
}

function markdownText(body: unknown): string | undefined {
  const md = (body as { markdown?: { text?: unknown } } | undefined)?.markdown;
  return typeof md?.text === 'string' ? md.text : undefined;
}

function paramText(msgParam: unknown): string | undefined {
  if (typeof msgParam !== 'string') return undefined;
  try {
    const parsed = JSON.parse(msgParam) as { text?: unknown; content?: unknown };
    if (typeof parsed.text === 'string') return parsed.text;
    return typeof parsed.content === 'string' ? parsed.content : undefined;
  } catch {
    return undefined;
  }
}

function safeJson(req: RecordedRequest): Record<string, unknown> {
  try {
    const value = req.json();
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Starts the fake on 127.0.0.1 with an ephemeral port. Shapes follow DingTalk's OpenAPI reference. */
export async function startFakeDingtalkServer(
  options: FakeDingtalkOptions = {},
): Promise<FakeDingtalkServer> {
  const server = await startFakeServer();
  const clientId = options.clientId ?? 'dingfakeclientid';
  const clientSecret = options.clientSecret ?? 'fake-client-secret-0123456789';
  const robotCode = options.robotCode ?? clientId;
  const botUserId = '$:LWCP_v1:$fakebot';
  const corpId = 'dingfakecorp';
  const webhookTtlMs = options.webhookTtlMs ?? 90 * 60_000;
  const stream = new FakeDingtalkStream(server, clientId);
  const users = new Map<string, FakeDingtalkUser>();
  const sessions = new Map<string, Session>();
  const tokens = new Map<string, number>();
  const files = new Map<string, { bytes: Buffer; mime: string }>();
  const sends: FakeDingtalkSend[] = [];
  const accepted: FakeDingtalkSentMessage[] = [];
  let throttle = 0;
  const reactions: FakeDingtalkReaction[] = [];
  const cards = new Map<string, FakeDingtalkCard>();
  /** conversationId → the chat id the adapter uses for it. */
  const conversations = new Map<string, string>();
  const user = (staffId: string) => {
    let u = users.get(staffId);
    if (!u) {
      u = fakeDingtalkUser(staffId, staffId.charAt(0).toUpperCase() + staffId.slice(1));
      users.set(staffId, u);
    }
    return u;
  };
  for (const staffId of options.users ?? ['alice', 'bob']) user(staffId);
  const credentialsOk = (id: unknown, secret: unknown) => id === clientId && secret === clientSecret;
  const badCredentials = (res: Parameters<typeof respondJson>[0]) =>
    respondJson(
      res,
      {
        code: 'invalidClientIdOrSecret',
        message: 'invalid clientId or clientSecret',
        requestid: randomUUID(),
      },
      400,
    );
  const tokenOk = (req: RecordedRequest) => {
    const token = req.headers[TOKEN_HEADER];
    const expiresAt = typeof token === 'string' ? tokens.get(token) : undefined;
    return expiresAt !== undefined && expiresAt > Date.now();
  };
  const badToken = (res: Parameters<typeof respondJson>[0]) =>
    respondJson(
      res,
      { code: 'InvalidAuthentication', message: 'access token is invalid', requestid: randomUUID() },
      401,
    );
  const takeThrottle = () => {
    if (throttle <= 0) return false;
    throttle--;
    return true;
  };
  const uploads = new Map<string, { name: string; bytes: Buffer }>();
  const record = (
    route: FakeDingtalkSend['route'],
    chatId: string,
    text: string,
    ok: boolean,
    raw: unknown,
  ) => {
    const send: FakeDingtalkSend = { route, chatId, text, accepted: ok, at: Date.now() };
    sends.push(send);
    options.onSend?.(send);
    if (!ok) return;
    const media = mediaOf(raw);
    const upload = media ? uploads.get(media) : undefined;
    accepted.push(
      upload
        ? { chatId, text, mediaName: upload.name, mediaBytes: upload.bytes, raw }
        : { chatId, text, raw },
    );
  };
  /** The media id an image or file robot message refers to. */
  const mediaOf = (raw: unknown): string | undefined => {
    const body = raw as { msgKey?: unknown; msgParam?: unknown };
    if (body.msgKey !== 'sampleImageMsg' && body.msgKey !== 'sampleFile') return undefined;
    try {
      const param = JSON.parse(String(body.msgParam)) as { photoURL?: unknown; mediaId?: unknown };
      const id = body.msgKey === 'sampleImageMsg' ? param.photoURL : param.mediaId;
      return typeof id === 'string' ? id : undefined;
    } catch {
      return undefined;
    }
  };
  const knownMessage = (body: Record<string, unknown>) => {
    const key = body['msgKey'];
    if (key === 'sampleMarkdown' || key === 'sampleText') return true;
    const media = mediaOf(body);
    return media !== undefined && uploads.has(media);
  };

  server.route('POST', '/v1.0/oauth2/accessToken', (req, res) => {
    const body = safeJson(req);
    if (!credentialsOk(body['appKey'], body['appSecret'])) return badCredentials(res);
    const ttl = options.tokenTtlSeconds ?? 7200;
    const token = `fake-at-${randomUUID()}`;
    tokens.set(token, Date.now() + ttl * 1000);
    respondJson(res, { accessToken: token, expireIn: ttl });
  });

  server.route('POST', '/v1.0/gateway/connections/open', (req, res) => {
    const body = safeJson(req);
    if (!credentialsOk(body['clientId'], body['clientSecret'])) return badCredentials(res);
    const subs = Array.isArray(body['subscriptions']) ? body['subscriptions'] : [];
    const topics = subs.map((s) => String((s as { topic?: unknown }).topic));
    respondJson(res, { endpoint: `${server.wsUrl}/gateway/stream`, ticket: stream.issueTicket(topics) });
  });

  server.route('POST', '/robot/sendBySession', (req, res) => {
    const body = safeJson(req);
    const text = markdownText(body) ?? '';
    const session = sessions.get(req.query.get('session') ?? '');
    if (!session) {
      record('webhook', '?', text, false, body);
      return respondJson(res, { errcode: 300001, errmsg: 'session not found' });
    }
    if (session.expiresAt <= Date.now()) {
      record('webhook', session.chatId, text, false, body);
      return respondJson(res, { errcode: 300001, errmsg: 'session webhook expired' });
    }
    if (takeThrottle()) {
      record('webhook', session.chatId, text, false, body);
      return respondJson(res, { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
    }
    if (body['msgtype'] !== 'markdown' || text === '') {
      record('webhook', session.chatId, text, false, body);
      return respondJson(res, { errcode: 40035, errmsg: 'missing parameter markdown' });
    }
    record('webhook', session.chatId, text, true, body);
    respondJson(res, { errcode: 0, errmsg: 'ok' });
  });

  server.route('POST', '/v1.0/robot/oToMessages/batchSend', (req, res) => {
    if (!tokenOk(req)) return badToken(res);
    const body = safeJson(req);
    const ids = Array.isArray(body['userIds']) ? body['userIds'].map(String) : [];
    const text = paramText(body['msgParam']) ?? '';
    if (body['robotCode'] !== robotCode) {
      return respondJson(res, { code: 'invalidParameter.robotCode', message: 'robot not found' }, 400);
    }
    if (!knownMessage(body)) {
      return respondJson(res, { code: 'invalidParameter.msgParam', message: 'unknown msgKey or media' }, 400);
    }
    if (takeThrottle()) {
      for (const id of ids) record('user', id, text, false, body);
      return respondJson(res, { code: 'Forbidden.AccessDenied.QpsLimitForApi', message: 'qps limit' }, 403);
    }
    const invalid = ids.filter((id) => !users.has(id));
    for (const id of ids) record('user', id, text, users.has(id), body);
    respondJson(res, {
      processQueryKey: `pqk-${randomUUID()}`,
      invalidStaffIdList: invalid,
      flowControlledStaffIdList: [],
    });
  });

  server.route('POST', '/v1.0/robot/groupMessages/send', (req, res) => {
    if (!tokenOk(req)) return badToken(res);
    const body = safeJson(req);
    const chatId = String(body['openConversationId'] ?? '');
    const text = paramText(body['msgParam']) ?? '';
    if (body['robotCode'] !== robotCode || !chatId || !knownMessage(body)) {
      return respondJson(
        res,
        { code: 'invalidParameter', message: 'robotCode, openConversationId or msgParam' },
        400,
      );
    }
    if (takeThrottle()) {
      record('group', chatId, text, false, body);
      return respondJson(res, { code: 'Forbidden.AccessDenied.QpsLimitForApi', message: 'qps limit' }, 403);
    }
    record('group', chatId, text, true, body);
    respondJson(res, { processQueryKey: `pqk-${randomUUID()}` });
  });

  server.route('POST', '/v1.0/robot/messageFiles/download', (req, res) => {
    if (!tokenOk(req)) return badToken(res);
    const body = safeJson(req);
    const code = String(body['downloadCode'] ?? '');
    if (body['robotCode'] !== robotCode || !files.has(code)) {
      return respondJson(
        res,
        { code: 'invalidParameter.downloadCode', message: 'unknown downloadCode' },
        400,
      );
    }
    respondJson(res, { downloadUrl: `${server.url}/files/${code}` });
  });

  for (const action of ['reply', 'recall'] as const) {
    server.route('POST', `/v1.0/robot/emotion/${action}`, (req, res) => {
      if (!tokenOk(req)) return badToken(res);
      const body = safeJson(req);
      const chatId = conversations.get(String(body['openConversationId']));
      if (body['robotCode'] !== robotCode || chatId === undefined || typeof body['openMsgId'] !== 'string') {
        return respondJson(res, { code: 'invalidParameter', message: 'unknown message or robot' }, 400);
      }
      reactions.push({ action, chatId, msgId: body['openMsgId'], name: String(body['emotionName']) });
      respondJson(res, { result: true });
    });
  }

  server.route('POST', '/v1.0/card/instances/createAndDeliver', (req, res) => {
    if (!tokenOk(req)) return badToken(res);
    const body = safeJson(req);
    const outTrackId = String(body['outTrackId'] ?? '');
    const openSpaceId = String(body['openSpaceId'] ?? '');
    if (!outTrackId || !/^dtv1\.card\/\/(IM_GROUP|IM_ROBOT)\./.test(openSpaceId) || cards.has(outTrackId)) {
      return respondJson(res, { code: 'invalidParameter', message: 'outTrackId or openSpaceId' }, 400);
    }
    cards.set(outTrackId, {
      outTrackId,
      openSpaceId,
      templateId: String(body['cardTemplateId']),
      content: '',
      updates: 0,
      finalized: false,
      error: false,
    });
    respondJson(res, { success: true, result: { outTrackId, deliverResults: [{ success: true }] } });
  });

  server.route('PUT', '/v1.0/card/streaming', (req, res) => {
    if (!tokenOk(req)) return badToken(res);
    const body = safeJson(req);
    const card = cards.get(String(body['outTrackId']));
    if (!card || card.finalized) {
      return respondJson(res, { code: 'invalidParameter.outTrackId', message: 'no open card' }, 400);
    }
    if (takeThrottle()) {
      return respondJson(res, { code: 'Forbidden.AccessDenied.QpsLimitForApi', message: 'qps limit' }, 403);
    }
    card.content = String(body['content'] ?? '');
    card.updates++;
    card.finalized = body['isFinalize'] === true;
    card.error = body['isError'] === true;
    respondJson(res, { success: true });
  });

  // oapi's upload: token in the query, multipart field `media`, errcode answers.
  server.route('POST', '/media/upload', async (req, res) => {
    const token = req.query.get('access_token') ?? '';
    if (!((tokens.get(token) ?? 0) > Date.now()))
      return respondJson(res, { errcode: 40014, errmsg: 'invalid access_token' });
    const type = req.query.get('type');
    let file: File | undefined;
    try {
      const form = await new Response(req.body, {
        headers: { 'content-type': String(req.headers['content-type']) },
      }).formData();
      const media = form.get('media');
      file = media instanceof File ? media : undefined;
    } catch {
      file = undefined;
    }
    if (!file || !['image', 'file', 'voice', 'video'].includes(String(type))) {
      return respondJson(res, { errcode: 40004, errmsg: 'invalid media type or missing media' });
    }
    const mediaId = `@lAD${randomUUID().replaceAll('-', '')}`;
    uploads.set(mediaId, { name: file.name, bytes: Buffer.from(await file.arrayBuffer()) });
    respondJson(res, { errcode: 0, errmsg: 'ok', type, media_id: mediaId, created_at: Date.now() });
  });

  server.route('GET', /^\/files\//, (req, res) => {
    const file = files.get(req.path.slice('/files/'.length));
    if (!file) return respondRaw(res, 404, 'no such file');
    respondRaw(res, 200, file.bytes, { 'content-type': file.mime });
  });

  const deliver = async (
    content: FakeRobotContent,
    o: FakeDeliverOptions & { group?: { conversationId: string; mention: boolean; title?: string } },
  ): Promise<string> => {
    const u = user(o.staffId ?? 'alice');
    const msgId = o.msgId ?? `msg${randomUUID().replaceAll('-', '')}`;
    const session = randomUUID();
    const expiresAt = o.webhookExpiresAt ?? Date.now() + webhookTtlMs;
    sessions.set(session, { chatId: o.group ? o.group.conversationId : u.staffId, expiresAt });
    conversations.set(
      o.group ? o.group.conversationId : `cid-dm-${u.staffId}`,
      o.group ? o.group.conversationId : u.staffId,
    );
    const payload = fakeRobotMessage({
      msgId,
      user: u,
      conversationId: o.group ? o.group.conversationId : `cid-dm-${u.staffId}`,
      group: o.group !== undefined,
      ...(o.group?.title ? { conversationTitle: o.group.title } : {}),
      isInAtList: o.group?.mention ?? false,
      chatbotUserId: botUserId,
      robotCode,
      corpId,
      sessionWebhook: o.sessionWebhook ?? `${server.url}/robot/sendBySession?session=${session}`,
      sessionWebhookExpiredTime: expiresAt,
      content,
    });
    stream.pushCallback(ROBOT_TOPIC, payload);
    return msgId;
  };

  return {
    url: server.url,
    server,
    clientId,
    clientSecret,
    robotCode,
    botUserId,
    user,
    deliverDm: (text, o = {}) => deliver({ msgtype: 'text', text }, o),
    deliverGroup: (text, o) =>
      deliver(
        // DingTalk strips the bot's @name from the content and flags the mention in isInAtList.
        { msgtype: 'text', text: o.mention ? ` ${text}` : text },
        {
          ...o,
          group: {
            conversationId: o.conversationId ?? 'cidFakeGroup1',
            mention: o.mention,
            ...(o.title ? { title: o.title } : {}),
          },
        },
      ),
    deliverContent: (content, o = {}) => deliver(content, o),
    async deliverMalformed() {
      stream.pushRaw('{"specVersion":"1.0","type":"CALLBACK","headers":');
      stream.pushRaw(JSON.stringify({ specVersion: '1.0', type: 'CALLBACK', data: '{}' }));
      stream.pushCallback(ROBOT_TOPIC, { msgtype: 'text', text: { content: 'no ids at all' } });
    },
    deliverRaw: (text) => stream.pushRaw(text),
    deliverSystem: (topic) => stream.pushSystem(topic),
    hostFile(bytes, o) {
      const code = `dc${randomUUID().replaceAll('-', '')}`;
      files.set(code, { bytes, mime: o.mime });
      return code;
    },
    dropConnections: (mode = 'terminate') => stream.drop(mode),
    throttleNextSends(count = 1) {
      throttle += count;
    },
    revokeTokens() {
      tokens.clear();
    },
    expireSessions() {
      for (const session of sessions.values()) session.expiresAt = 0;
    },
    get streamOnline() {
      return stream.online;
    },
    streamStats: () => stream.stats(),
    subscriptions: stream.subscriptions,
    sends,
    sentMessages: () => [...accepted],
    reactions,
    cards,
    close: () => server.close(),
  };
}
