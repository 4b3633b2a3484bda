import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type FakeServer, type RecordedRequest, startFakeServer } from '@hermes/adapter-testkit';
import { type FakeMatrixEvent, FakeMatrixWorld } from './fake-world.js';

/** A message the fake accepted from the bot, in the conformance suite's terms. */
export interface FakeMatrixSentMessage {
  chatId: string;
  text?: string;
  threadId?: string;
  replyTo?: string;
  mediaName?: string;
  mediaBytes?: Buffer;
  raw: unknown;
}

export interface FakeMatrixServerOptions {
  serverName?: string;
  /** The bot's localpart; its user id is `@<name>:<serverName>`. */
  botName?: string;
  botPassword?: string;
}

/**
 * A loopback Matrix homeserver speaking the client-server API routes the adapter (through matrix-js-sdk)
 * uses: versions, login, whoami, filters, push rules, /sync long poll with stream tokens, send (deduped on
 * device + path + transaction id, as a homeserver does), redact, typing, join, media upload and
 * authenticated download. Unencrypted rooms only. Errors carry Matrix
 * `errcode` bodies (M_UNKNOWN_TOKEN, M_FORBIDDEN, M_NOT_FOUND, M_LIMIT_EXCEEDED).
 */
export interface FakeMatrixServer {
  /** Pass as `homeserver`. */
  readonly url: string;
  readonly server: FakeServer;
  readonly world: FakeMatrixWorld;
  readonly botUserId: string;
  readonly botPassword: string;
  /** A valid access token for the bot (a second device, as if made in a client). */
  readonly botToken: string;
  readonly alice: string;
  /** A room with the bot and alice, listed in the bot's m.direct. */
  readonly dmRoomId: string;
  /** A room with the bot, alice and bob. */
  readonly groupRoomId: string;
  /** The thread root inside the group room. */
  readonly threadRootId: string;
  /** Devices created by /login so far. */
  readonly logins: number;
  deliverDm(text: string, o?: { chatId?: string; fromUserId?: string }): Promise<void>;
  deliverGroup(text: string, o: { mention: boolean; chatId?: string; fromUserId?: string }): Promise<void>;
  deliverThread(text: string): Promise<void>;
  deliverMedia(o: {
    kind: string;
    bytes: Buffer;
    name: string;
    mime: string;
    roomId?: string;
  }): Promise<void>;
  /** Any m.room.message content from a user, as a client would send it. */
  deliverContent(
    roomId: string,
    sender: string,
    content: Record<string, unknown>,
    type?: string,
  ): FakeMatrixEvent;
  deliverMalformed(): Promise<void>;
  /** Invites the bot to a new room on behalf of `inviter`; resolves with the room id. */
  inviteBot(inviter: string): string;
  /**
   * The next `count` sends are stored but their answer is lost (socket destroyed after the event was
   * appended): the client cannot tell whether they landed, the case transaction ids exist for.
   */
  loseSendAnswers(count: number): void;
  /** Kills the long-poll /sync connections without an answer. Returns how many. */
  dropSyncs(): number;
  sentMessages(): FakeMatrixSentMessage[];
  edits(): Array<{ chatId: string; messageId: string; text: string }>;
  reactions(): Array<{ chatId: string; messageId: string; emoji: string }>;
  redactions(): Array<{ chatId: string; messageId: string }>;
  typing(): Array<{ chatId: string }>;
  /** TCP connections open right now / accepted since start. */
  readonly openConnections: number;
  readonly totalConnections: number;
  close(): Promise<void>;
}

const CS = '/_matrix/client/v3';

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed || res.headersSent) return;
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(payload.length) });
  res.end(payload);
}

const matrixError = (res: ServerResponse, status: number, errcode: string, error: string) =>
  reply(res, status, { errcode, error });

export async function startFakeMatrixServer(
  options: FakeMatrixServerOptions = {},
): Promise<FakeMatrixServer> {
  const serverName = options.serverName ?? 'fake.test';
  const server = await startFakeServer();
  const world = new FakeMatrixWorld(serverName);
  const botUserId = `@${options.botName ?? 'hermes'}:${serverName}`;
  const botPassword = options.botPassword ?? 'bot-password';
  const alice = `@alice:${serverName}`;
  const bob = `@bob:${serverName}`;
  const tokens = new Map<string, { userId: string; deviceId: string }>();
  const botToken = `syt_${randomBytes(12).toString('hex')}`;
  tokens.set(botToken, { userId: botUserId, deviceId: 'FAKEDEVICE0' });
  const media = new Map<string, { bytes: Buffer; mime: string; name?: string }>();
  /** Event id per (device, room, event type, transaction id): what the send endpoint dedupes on. */
  const txns = new Map<string, string>();
  const polls = new Set<ServerResponse>();
  const sockets = new Set<import('node:net').Socket>();
  let totalConnections = 0;
  let logins = 0;
  let lostAnswers = 0;
  const seen = {
    typing: [] as Array<{ chatId: string }>,
  };

  const dmRoomId = `!dm-alice:${serverName}`;
  const groupRoomId = `!group-1:${serverName}`;
  world.createRoom(dmRoomId, { [botUserId]: 'Hermes', [alice]: 'Alice' });
  world.createRoom(groupRoomId, { [botUserId]: 'Hermes', [alice]: 'Alice', [bob]: 'Bob' }, { name: 'Team' });
  world.directRooms.set(botUserId, [dmRoomId]);
  const threadRoot = world.append({
    room_id: groupRoomId,
    sender: alice,
    type: 'm.room.message',
    content: { msgtype: 'm.text', body: 'thread root' },
  });

  const auth = (
    req: RecordedRequest,
    res: ServerResponse,
  ): { userId: string; deviceId: string } | undefined => {
    const header = req.headers.authorization;
    const token =
      typeof header === 'string' && header.startsWith('Bearer ')
        ? header.slice(7)
        : req.query.get('access_token');
    if (!token) {
      matrixError(res, 401, 'M_MISSING_TOKEN', 'Missing access token');
      return undefined;
    }
    const who = tokens.get(token);
    if (!who) matrixError(res, 401, 'M_UNKNOWN_TOKEN', 'Unrecognised access token');
    return who;
  };
  const parts = (req: RecordedRequest, pattern: RegExp): string[] =>
    (pattern.exec(req.path) ?? []).slice(1).map((p) => decodeURIComponent(p));

  // Registered first: a later route for the same request wins, so this only answers what nothing else does.
  server.route('*', /^\/_matrix\//, (_req, res) =>
    matrixError(res, 404, 'M_UNRECOGNIZED', 'Unrecognized request'),
  );
  server.route('GET', '/_matrix/client/versions', (_req, res) =>
    reply(res, 200, { versions: ['v1.1', 'v1.5', 'v1.9', 'v1.11', 'v1.12'], unstable_features: {} }),
  );
  server.route('GET', `${CS}/capabilities`, (req, res) => {
    if (auth(req, res)) reply(res, 200, { capabilities: {} });
  });
  server.route('POST', `${CS}/login`, (req, res) => {
    const body = req.json<{
      identifier?: { user?: string };
      password?: string;
      initial_device_display_name?: string;
    }>();
    const user = body.identifier?.user ?? '';
    const userId = user.startsWith('@') ? user : `@${user}:${serverName}`;
    if (userId !== botUserId || body.password !== botPassword) {
      matrixError(res, 403, 'M_FORBIDDEN', 'Invalid username or password');
      return;
    }
    logins += 1;
    const token = `syt_${randomBytes(12).toString('hex')}`;
    const deviceId = `DEV${logins}${randomBytes(3).toString('hex').toUpperCase()}`;
    tokens.set(token, { userId, deviceId });
    reply(res, 200, { user_id: userId, access_token: token, device_id: deviceId, home_server: serverName });
  });
  server.route('GET', `${CS}/account/whoami`, (req, res) => {
    const who = auth(req, res);
    if (who) reply(res, 200, { user_id: who.userId, device_id: who.deviceId });
  });
  server.route('GET', /^\/_matrix\/client\/v3\/pushrules\/?$/, (req, res) => {
    if (auth(req, res))
      reply(res, 200, { global: { override: [], content: [], room: [], sender: [], underride: [] } });
  });
  server.route('POST', /^\/_matrix\/client\/v3\/user\/[^/]+\/filter$/, (req, res) => {
    if (auth(req, res)) reply(res, 200, { filter_id: '1' });
  });
  server.route('GET', /^\/_matrix\/client\/v3\/user\/[^/]+\/filter\/[^/]+$/, (req, res) => {
    if (auth(req, res)) reply(res, 200, {});
  });
  server.route('GET', /^\/_matrix\/client\/v3\/profile\/([^/]+)/, (req, res) => {
    const [userId] = parts(req, /^\/_matrix\/client\/v3\/profile\/([^/]+)/);
    for (const room of world.rooms.values()) {
      const name = room.members.get(userId ?? '');
      if (name !== undefined) return reply(res, 200, { displayname: name });
    }
    matrixError(res, 404, 'M_NOT_FOUND', 'Profile not found');
  });

  server.route('GET', `${CS}/sync`, (req, res) => {
    const who = auth(req, res);
    if (!who) return;
    const sinceText = req.query.get('since');
    const since = sinceText && /^s\d+$/.test(sinceText) ? Number(sinceText.slice(1)) : undefined;
    if (sinceText && since === undefined) return matrixError(res, 400, 'M_INVALID_PARAM', 'Bad since token');
    const timeoutMs = Math.min(Number(req.query.get('timeout') ?? 0) || 0, 30_000);
    const answer = () => {
      polls.delete(res);
      stop();
      clearTimeout(timer);
      reply(res, 200, world.syncBody(who.userId, since));
    };
    const stop = world.onChange(() => {
      if (since === undefined || world.hasNews(who.userId, since)) answer();
    });
    const timer = setTimeout(answer, since === undefined ? 0 : timeoutMs);
    polls.add(res);
    res.on('close', () => {
      polls.delete(res);
      stop();
      clearTimeout(timer);
    });
    if (since === undefined || world.hasNews(who.userId, since)) answer();
  });

  const sendPattern = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/send\/([^/]+)\/([^/]+)$/;
  server.route('PUT', sendPattern, (req, res) => {
    const who = auth(req, res);
    if (!who) return;
    const [roomId, type, txn] = parts(req, sendPattern) as [string, string, string];
    const room = world.rooms.get(roomId);
    if (!room?.members.has(who.userId))
      return matrixError(res, 403, 'M_FORBIDDEN', 'You are not in this room');
    // A homeserver's dedupe (spec, "Transaction identifiers"): the same device, HTTP path (room, event
    // type) and transaction id is a retransmission, answered with the first event and creating none.
    const txnKey = JSON.stringify([who.deviceId, roomId, type, txn]);
    const earlier = txns.get(txnKey);
    if (earlier !== undefined) return reply(res, 200, { event_id: earlier });
    let content: Record<string, unknown>;
    try {
      content = req.json<Record<string, unknown>>();
    } catch {
      return matrixError(res, 400, 'M_NOT_JSON', 'Content not JSON.');
    }
    const event = world.append({ room_id: roomId, sender: who.userId, type, content });
    txns.set(txnKey, event.event_id);
    if (lostAnswers > 0) {
      lostAnswers -= 1;
      res.socket?.destroy();
      return;
    }
    reply(res, 200, { event_id: event.event_id });
  });
  const redactPattern = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/redact\/([^/]+)\/([^/]+)$/;
  server.route('PUT', redactPattern, (req, res) => {
    const who = auth(req, res);
    if (!who) return;
    const [roomId, eventId] = parts(req, redactPattern) as [string, string];
    if (!world.findEvent(eventId)) return matrixError(res, 404, 'M_NOT_FOUND', 'Event not found');
    const event = world.append({
      room_id: roomId,
      sender: who.userId,
      type: 'm.room.redaction',
      content: { redacts: eventId },
    });
    reply(res, 200, { event_id: event.event_id });
  });
  const typingPattern = /^\/_matrix\/client\/v3\/rooms\/([^/]+)\/typing\/([^/]+)$/;
  server.route('PUT', typingPattern, (req, res) => {
    const who = auth(req, res);
    if (!who) return;
    const [roomId] = parts(req, typingPattern) as [string];
    seen.typing.push({ chatId: roomId });
    reply(res, 200, {});
  });
  const joinPattern = /^\/_matrix\/client\/v3\/(?:join|rooms)\/([^/]+)(?:\/join)?$/;
  server.route('POST', joinPattern, (req, res) => {
    const who = auth(req, res);
    if (!who) return;
    const [roomId] = parts(req, joinPattern) as [string];
    const room = world.rooms.get(roomId);
    if (!room) return matrixError(res, 404, 'M_NOT_FOUND', 'No such room');
    if (!room.invites.has(who.userId) && !room.members.has(who.userId)) {
      return matrixError(res, 403, 'M_FORBIDDEN', 'You are not invited to this room.');
    }
    world.join(roomId, who.userId, 'Hermes');
    reply(res, 200, { room_id: roomId });
  });
  server.route('POST', '/_matrix/media/v3/upload', (req, res) => {
    if (!auth(req, res)) return;
    const id = randomBytes(8).toString('hex');
    const name = req.query.get('filename') ?? undefined;
    media.set(id, {
      bytes: req.body,
      mime: String(req.headers['content-type'] ?? 'application/octet-stream'),
      ...(name !== undefined ? { name } : {}),
    });
    reply(res, 200, { content_uri: `mxc://${serverName}/${id}` });
  });
  const downloadPattern = /^\/_matrix\/client\/v1\/media\/download\/([^/]+)\/([^/]+)/;
  server.route('GET', downloadPattern, (req, res) => {
    if (!auth(req, res)) return;
    const [, id] = parts(req, downloadPattern) as [string, string];
    const item = media.get(id);
    if (!item) return matrixError(res, 404, 'M_NOT_FOUND', 'Not found');
    res.writeHead(200, { 'content-type': item.mime, 'content-length': String(item.bytes.length) });
    res.end(item.bytes);
  });
  // Unauthenticated legacy media is frozen on current servers: the fake refuses it the same way.
  server.route('GET', /^\/_matrix\/media\/v3\/download\//, (_req, res) =>
    matrixError(res, 404, 'M_NOT_FOUND', 'Not found (use the authenticated media endpoints)'),
  );

  const rawServer = await captureConnections(server);
  rawServer.on('connection', (socket) => {
    totalConnections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const botEvents = () =>
    world.stream.flatMap((item) =>
      item.kind === 'event' && item.event.sender === botUserId ? [item.event] : [],
    );
  const relatesOf = (e: FakeMatrixEvent) => (e.content['m.relates_to'] ?? {}) as Record<string, unknown>;

  const deliverContent = (
    roomId: string,
    sender: string,
    content: Record<string, unknown>,
    type = 'm.room.message',
  ) => world.append({ room_id: roomId, sender, type, content });

  return {
    url: server.url,
    server,
    world,
    botUserId,
    botPassword,
    botToken,
    alice,
    dmRoomId,
    groupRoomId,
    threadRootId: threadRoot.event_id,
    get logins() {
      return logins;
    },
    async deliverDm(text, o = {}) {
      deliverContent(o.chatId ?? dmRoomId, o.fromUserId ?? alice, { msgtype: 'm.text', body: text });
    },
    async deliverGroup(text, o) {
      const content: Record<string, unknown> = o.mention
        ? {
            msgtype: 'm.text',
            body: `Hermes: ${text}`,
            format: 'org.matrix.custom.html',
            formatted_body: `<a href="https://matrix.to/#/${botUserId}">Hermes</a>: ${text}`,
            'm.mentions': { user_ids: [botUserId] },
          }
        : { msgtype: 'm.text', body: text };
      deliverContent(o.chatId ?? groupRoomId, o.fromUserId ?? alice, content);
    },
    async deliverThread(text) {
      deliverContent(groupRoomId, alice, {
        msgtype: 'm.text',
        body: `Hermes: ${text}`,
        'm.mentions': { user_ids: [botUserId] },
        'm.relates_to': {
          rel_type: 'm.thread',
          event_id: threadRoot.event_id,
          is_falling_back: true,
          'm.in_reply_to': { event_id: threadRoot.event_id },
        },
      });
    },
    async deliverMedia(o) {
      const id = randomBytes(8).toString('hex');
      media.set(id, { bytes: o.bytes, mime: o.mime, name: o.name });
      const msgtype =
        { image: 'm.image', video: 'm.video', audio: 'm.audio', voice: 'm.audio' }[o.kind] ?? 'm.file';
      deliverContent(o.roomId ?? dmRoomId, alice, {
        msgtype,
        body: o.name,
        filename: o.name,
        url: `mxc://${serverName}/${id}`,
        info: { mimetype: o.mime, size: o.bytes.length },
        ...(o.kind === 'voice' ? { 'org.matrix.msc3245.voice': {} } : {}),
      });
    },
    deliverContent,
    async deliverMalformed() {
      // A message event missing its body, then one whose content is not an object.
      deliverContent(dmRoomId, alice, { msgtype: 'm.text' });
      world.append({
        room_id: dmRoomId,
        sender: alice,
        type: 'm.room.message',
        content: 'garbage' as unknown as Record<string, unknown>,
      });
    },
    inviteBot(inviter) {
      const roomId = `!invited-${randomBytes(4).toString('hex')}:${serverName}`;
      world.createRoom(roomId, { [inviter]: 'Inviter', [`@third:${serverName}`]: 'Third' });
      world.invite(roomId, botUserId, inviter);
      return roomId;
    },
    loseSendAnswers(count) {
      lostAnswers += count;
    },
    dropSyncs() {
      let count = 0;
      for (const res of [...polls]) {
        res.socket?.destroy();
        polls.delete(res);
        count += 1;
      }
      return count;
    },
    sentMessages() {
      return botEvents()
        .filter((e) => e.type === 'm.room.message' && relatesOf(e)['rel_type'] !== 'm.replace')
        .map((e) => {
          const relates = relatesOf(e);
          const inReply = (relates['m.in_reply_to'] as Record<string, unknown> | undefined)?.['event_id'];
          const url = typeof e.content['url'] === 'string' ? e.content['url'] : undefined;
          const item = url ? media.get(url.split('/').pop() ?? '') : undefined;
          const html = e.content['formatted_body'];
          const body = e.content['body'];
          return {
            chatId: e.room_id,
            ...(typeof html === 'string'
              ? { text: html }
              : typeof body === 'string' && !url
                ? { text: body }
                : {}),
            ...(relates['rel_type'] === 'm.thread' ? { threadId: String(relates['event_id']) } : {}),
            ...(typeof inReply === 'string' && relates['is_falling_back'] !== true
              ? { replyTo: inReply }
              : {}),
            ...(url ? { mediaName: String(e.content['filename'] ?? body) } : {}),
            ...(item ? { mediaBytes: item.bytes } : {}),
            raw: e,
          };
        });
    },
    edits() {
      return botEvents()
        .filter((e) => relatesOf(e)['rel_type'] === 'm.replace')
        .map((e) => {
          const next = (e.content['m.new_content'] ?? {}) as Record<string, unknown>;
          return {
            chatId: e.room_id,
            messageId: String(relatesOf(e)['event_id']),
            text: String(next['formatted_body'] ?? next['body'] ?? ''),
          };
        });
    },
    reactions() {
      return botEvents()
        .filter((e) => e.type === 'm.reaction')
        .map((e) => ({
          chatId: e.room_id,
          messageId: String(relatesOf(e)['event_id']),
          emoji: String(relatesOf(e)['key']),
        }));
    },
    redactions() {
      return botEvents()
        .filter((e) => e.type === 'm.room.redaction')
        .map((e) => ({ chatId: e.room_id, messageId: String(e.content['redacts']) }));
    },
    typing: () => seen.typing,
    get openConnections() {
      return sockets.size;
    },
    get totalConnections() {
      return totalConnections;
    },
    async close() {
      for (const res of polls) res.socket?.destroy();
      polls.clear();
      await server.close();
    },
  };
}

/**
 * The toolkit does not expose its node:http server, but every response's socket knows it: one probe
 * request (on a connection that closes right after) hands it over so connections can be counted.
 */
async function captureConnections(server: FakeServer): Promise<import('node:net').Server> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    server.route('GET', '/__fake_probe', (_req, res) => {
      const srv = (res.socket as (import('node:net').Socket & { server?: import('node:net').Server }) | null)
        ?.server;
      reply(res, 200, {});
      if (srv) resolve(srv);
      else reject(new Error('fake homeserver: could not reach the HTTP server to count connections'));
    });
    const probe = request(`${server.url}/__fake_probe`, { agent: false }, (res) => res.resume());
    probe.on('error', reject);
    probe.end();
  });
}
