import { randomBytes } from 'node:crypto';
import { type FakeServer, startFakeServer } from '@hermes/adapter-testkit';
import { cardActionEvent, type FakeMention, messageReceiveEvent } from './fake-events.js';
import { FakeLongConnection, type FakePushedEvent } from './fake-long-connection.js';
import { registerFakeFeishuRest } from './fake-rest.js';
import type { FakeEdit, FakeFeishuSentMessage, FakeReaction, FakeUpload } from './fake-store.js';

export type { FakeEdit, FakeFeishuSentMessage, FakeReaction, FakeUpload } from './fake-store.js';

export interface FakeFeishuServerOptions {
  appId?: string;
  appSecret?: string;
  botOpenId?: string;
  botName?: string;
  /** Seconds, as the endpoint's ClientConfig carries them. */
  pingIntervalS?: number;
  reconnectIntervalS?: number;
  /** Tenant token lifetime in seconds (Feishu: 7200). */
  tokenExpireS?: number;
  /** Unacked events are pushed again after this long, as Feishu retries them (default 1000 ms). */
  redeliverAfterMs?: number;
  /**
   * How long a send's `uuid` makes a later send (create or reply) with the same uuid return the first
   * message instead of creating one. Feishu documents 1 hour (the default); shorten it to test expiry.
   */
  uuidWindowMs?: number;
}

export interface FakeDeliverOptions {
  chatId?: string;
  fromUserId?: string;
  messageId?: string;
  rootId?: string;
  parentId?: string;
  /** Pushes the event as if it were meant for another app of the same tenant (multi-app safety). */
  appId?: string;
  senderType?: 'user' | 'app';
}

/**
 * A loopback Feishu: the token and long-connection endpoint routes, a WebSocket speaking `pbbp2.Frame`
 * protobuf (events with acks and redelivery of unacked ones, ping/pong), and the im/v1 REST routes the
 * adapter uses (messages, replies, edits, card patches, reactions, uploads, resources, message get).
 */
export interface FakeFeishuServer {
  /** Pass as `domain` in the adapter config. */
  readonly url: string;
  readonly server: FakeServer;
  readonly appId: string;
  readonly appSecret: string;
  readonly botOpenId: string;
  readonly botName: string;
  deliverDm(text: string, o?: FakeDeliverOptions): Promise<string>;
  deliverGroup(text: string, o: FakeDeliverOptions & { mention: boolean }): Promise<string>;
  /** Pushes any message type with its content object; returns the message_id. */
  deliverMessage(
    messageType: string,
    content: unknown,
    o?: FakeDeliverOptions & { chatType?: 'p2p' | 'group'; mentions?: FakeMention[] },
  ): string;
  /** Pushes a v2 event body (a string goes out verbatim, e.g. invalid JSON). Returns the frame message id. */
  deliverEvent(body: unknown): string;
  /** A button press on a card the bot sent. Returns the event id. */
  pressButton(messageId: string, actionId: string, o?: { fromUserId?: string; eventId?: string }): string;
  deliverMalformed(): Promise<void>;
  /** Writes raw bytes to every open socket (not a frame, a truncated frame...). */
  deliverRawBytes(bytes: Buffer): number;
  /** Makes `bytes` downloadable as a resource of `messageId`. */
  hostResource(messageId: string, key: string, bytes: Buffer): void;
  /** Registers the sub-messages the message get API lists for a merge_forward. */
  hostMergeForward(
    messageId: string,
    children: Array<{ msgType: string; content: unknown; senderId?: string }>,
  ): void;
  /** Stores a user message in a chat without pushing an event (a thread root that existed before the test). */
  seedMessage(messageId: string, chatId: string, text?: string): void;
  /** Marks a message withdrawn: replies to it fail with 230011. */
  withdraw(messageId: string): void;
  sentMessages(): FakeFeishuSentMessage[];
  /** Calls `listener` for every message the fake accepts from now on; returns the unsubscribe. */
  onSent(listener: (m: FakeFeishuSentMessage) => void): () => void;
  readonly edits: FakeEdit[];
  readonly reactions: FakeReaction[];
  readonly uploads: Map<string, FakeUpload>;
  /** Acks the adapter sent, with the decoded response data (card callback answers). */
  ackOf(frameMessageId: string): FakePushedEvent | undefined;
  /** The ack of the latest frame that carried this button press (event id), once the adapter sent it. */
  ackOfPress(eventId: string): FakePushedEvent | undefined;
  /** Events pushed but not yet acked. */
  readonly unacked: number;
  /** Long connections accepted so far. */
  readonly connections: number;
  /** Terminates every open WebSocket (network cut). */
  dropConnections(mode?: 'terminate' | 'close'): number;
  /** Makes the next `count` send requests (create/reply) fail with this Feishu code. */
  failNextSend(code: number, msg: string, count?: number, httpStatus?: number): void;
  /**
   * The answers to the next `count` sends are lost (the socket is cut before they are written): a new
   * message is stored all the same, and a repeat of a known uuid loses its answer too, as on a real network.
   */
  loseNextSendAnswer(count?: number): void;
  /** Makes every issued token invalid (99991663), as after a secret rotation. */
  revokeTokens(): void;
  /** Tokens issued so far (the adapter must reuse one until it nears expiry). */
  readonly tokensIssued: number;
  close(): Promise<void>;
}

const SEND_PATH = /^\/open-apis\/im\/v1\/messages(\/[^/]+\/reply)?$/;

export async function startFakeFeishuServer(
  options: FakeFeishuServerOptions = {},
): Promise<FakeFeishuServer> {
  const server = await startFakeServer({ websocketPath: '/ws' });
  const appId = options.appId ?? 'cli_a1b2c3d4e5f60718';
  const appSecret = options.appSecret ?? 'fake-app-secret-0123456789';
  const botOpenId = options.botOpenId ?? 'ou_bot0000000000';
  const botName = options.botName ?? 'HermesBot';
  const clientConfig = {
    PingInterval: options.pingIntervalS ?? 120,
    ReconnectCount: -1,
    ReconnectInterval: options.reconnectIntervalS ?? 1,
    ReconnectNonce: 0,
  };
  const pressFrames = new Map<string, string>();
  let counter = 0;
  const next = (prefix: string) =>
    `${prefix}${(++counter).toString(16).padStart(8, '0')}${randomBytes(4).toString('hex')}`;
  const {
    tokens,
    messages,
    resources,
    uploads,
    sent,
    sentListeners,
    edits,
    reactions,
    sendFailures,
    counters,
  } = registerFakeFeishuRest(server, {
    appId,
    appSecret,
    botOpenId,
    botName,
    clientConfig,
    tokenExpireS: options.tokenExpireS,
    uuidWindowMs: options.uuidWindowMs ?? 60 * 60 * 1000,
    nextId: next,
  });
  const ws = new FakeLongConnection(server, {
    clientConfig,
    redeliverAfterMs: options.redeliverAfterMs ?? 1000,
    nextId: next,
  });
  const push = (body: unknown): string => ws.push(body);

  const deliverMessage: FakeFeishuServer['deliverMessage'] = (messageType, content, o = {}) => {
    const chatType = o.chatType ?? 'p2p';
    const messageId = o.messageId ?? next('om_');
    const chatId = o.chatId ?? (chatType === 'p2p' ? 'oc_dm_default' : 'oc_group_default');
    const senderOpenId = o.fromUserId ?? 'ou_user_default';
    const children = messages.get(messageId)?.children;
    messages.set(messageId, {
      ...(children ? { children } : {}),
      messageId,
      chatId,
      ...(o.rootId ? { rootId: o.rootId } : {}),
      msgType: messageType,
      content: JSON.stringify(content),
      from: 'user',
      withdrawn: false,
      senderId: senderOpenId,
      createTime: Date.now(),
    });
    push(
      messageReceiveEvent({
        appId: o.appId ?? appId,
        eventId: next('ev_'),
        messageId,
        chatId,
        chatType,
        senderOpenId,
        ...(o.senderType ? { senderType: o.senderType } : {}),
        messageType,
        content,
        ...(o.mentions ? { mentions: o.mentions } : {}),
        ...(o.rootId ? { rootId: o.rootId } : {}),
        ...(o.parentId ? { parentId: o.parentId } : {}),
      }),
    );
    return messageId;
  };

  return {
    url: server.url,
    server,
    appId,
    appSecret,
    botOpenId,
    botName,
    async deliverDm(text, o = {}) {
      return deliverMessage('text', { text }, { ...o, chatType: 'p2p' });
    },
    async deliverGroup(text, o) {
      const mentions: FakeMention[] = o.mention
        ? [{ key: '@_user_1', id: { open_id: botOpenId }, name: botName }]
        : [];
      return deliverMessage(
        'text',
        { text: o.mention ? `@_user_1 ${text}` : text },
        { ...o, chatType: 'group', mentions },
      );
    },
    deliverMessage,
    deliverEvent: push,
    pressButton(messageId, actionId, o = {}) {
      const m = messages.get(messageId);
      const eventId = o.eventId ?? next('ev_');
      pressFrames.set(
        eventId,
        push(
          cardActionEvent({
            appId,
            eventId,
            operatorOpenId: o.fromUserId ?? 'ou_user_default',
            messageId,
            chatId: m?.chatId ?? 'oc_unknown',
            value: { hermes_action: actionId },
          }),
        ),
      );
      return eventId;
    },
    async deliverMalformed() {
      // Bytes that are no protobuf frame, then a frame whose payload is not JSON, then an event without its message.
      ws.raw(Buffer.from([0x0a, 0xff, 0xff, 0xff]), true);
      push('{"schema":"2.0","header":');
      const broken = messageReceiveEvent({
        appId,
        eventId: next('ev_'),
        messageId: 'om_broken',
        chatId: 'oc_broken',
        chatType: 'p2p',
        senderOpenId: 'ou_broken',
        messageType: 'text',
        content: { text: 'x' },
      });
      delete (broken['event'] as Record<string, unknown>)['message'];
      push(broken);
    },
    deliverRawBytes: (bytes) => ws.raw(bytes),
    hostResource(messageId, key, bytes) {
      resources.set(`${messageId}/${key}`, bytes);
    },
    hostMergeForward(messageId, children) {
      const m = messages.get(messageId);
      if (!m) throw new Error(`hostMergeForward: deliver ${messageId} first`);
      m.children = children.map((c) => ({
        messageId: next('om_'),
        chatId: m.chatId,
        msgType: c.msgType,
        content: JSON.stringify(c.content),
        from: 'user',
        withdrawn: false,
        ...(c.senderId ? { senderId: c.senderId } : {}),
        createTime: Date.now(),
      }));
    },
    seedMessage(messageId, chatId, text = '') {
      messages.set(messageId, {
        messageId,
        chatId,
        msgType: 'text',
        content: JSON.stringify({ text }),
        from: 'user',
        withdrawn: false,
        createTime: Date.now(),
      });
    },
    withdraw(messageId) {
      const m = messages.get(messageId);
      if (m) m.withdrawn = true;
    },
    sentMessages: () => [...sent],
    onSent(listener) {
      sentListeners.add(listener);
      return () => sentListeners.delete(listener);
    },
    edits,
    reactions,
    uploads,
    ackOf: (id) => ws.event(id),
    ackOfPress: (eventId) => {
      const frame = pressFrames.get(eventId);
      const p = frame ? ws.event(frame) : undefined;
      return p?.acked ? p : undefined;
    },
    get unacked() {
      return ws.unacked;
    },
    get connections() {
      return ws.connections;
    },
    dropConnections(mode = 'terminate') {
      return mode === 'terminate' ? server.dropSockets() : server.closeSockets(1001, 'going away');
    },
    failNextSend(code, msg, count = 1, httpStatus = 400) {
      for (let i = 0; i < count; i++) sendFailures.push({ code, msg, status: httpStatus });
    },
    loseNextSendAnswer(count = 1) {
      counters.loseAnswers += count;
    },
    revokeTokens() {
      tokens.clear();
    },
    get tokensIssued() {
      return counters.issued;
    },
    close: () => {
      ws.close();
      return server.close();
    },
  };
}

/** Matches the fake's send routes (create and reply), for fault injection. */
export const FAKE_FEISHU_SEND_MATCH = { method: 'POST', path: SEND_PATH } as const;
