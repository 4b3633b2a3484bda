import type { MediaKind } from '@hermes/adapter-core';
import { type FakeServer, startFakeServer } from '@hermes/adapter-testkit';
import {
  type FakeGraphState,
  type FakeStoredMedia,
  type FakeWhatsappSentMessage,
  routeFakeGraph,
} from './graph-routes.js';
import {
  interactiveReply,
  type MessageBase,
  newWamid,
  reactionMessage,
  statusUpdate,
  textMessage,
  userMessage,
  type WebhookBusiness,
  whatsappWebhookBody,
} from './payloads.js';
import { sendWhatsappWebhook, type WebhookAttempt } from './webhook-sender.js';

export type { FakeStoredMedia, FakeWhatsappSentMessage } from './graph-routes.js';

export interface FakeWhatsappOptions {
  phoneNumberId?: string;
  /** The business number as Meta displays it; `@<digits>` in a group is a mention of it. */
  displayPhoneNumber?: string;
  accessToken?: string;
  /** Signs the webhooks the fake sends; undefined sends them unsigned. */
  appSecret?: string;
  /** Approved templates: name → number of body variables. Default `{ hermes_update: 1 }`. */
  templates?: Record<string, number>;
  /** Graph version path segment. Default v21.0. */
  version?: string;
  /** Send `sent`/`delivered` (or `failed`) status webhooks after each accepted message. Default false. */
  statusWebhooks?: boolean;
}

/** A user as the fake delivers them. */
export interface FakeUser {
  waId: string;
  name?: string;
}

/**
 * A loopback WhatsApp Cloud API: the Graph endpoints the adapter calls (messages, media upload and
 * download, the phone number) and a webhook sender that delivers signed notifications to the adapter,
 * as Meta does. For this package's tests and for bots built on it (`@hermes/adapter-whatsapp/testing`).
 */
export interface FakeWhatsappServer {
  /** Pass as `graphApiBase` (WHATSAPP_GRAPH_API_BASE), e.g. `http://127.0.0.1:PORT/v21.0`. */
  readonly url: string;
  readonly server: FakeServer;
  readonly phoneNumberId: string;
  readonly displayPhoneNumber: string;
  readonly accessToken: string;
  /** Where webhooks go: the adapter's `webhookUrl` once it is started. */
  webhookUrl: string | (() => string | undefined) | undefined;
  /** Records that the user wrote at `atMs`, without a webhook (their 24-hour window is open). */
  userWrote(waId: string, atMs?: number): void;
  /** Delivers a text DM; resolves with its message id once the adapter answered 200. */
  deliverDm(text: string, user: FakeUser, o?: { contextId?: string; atMs?: number }): Promise<string>;
  /** Delivers a group message; with `mention` the text starts with `@<business number>`. */
  deliverGroup(text: string, o: { mention: boolean; groupId: string; user: FakeUser }): Promise<string>;
  /** Stores the bytes as a media object and delivers a message of that kind carrying its id. */
  deliverMedia(
    o: { kind: MediaKind; bytes: Buffer; name: string; mime: string; caption?: string },
    user: FakeUser,
  ): Promise<string>;
  /** The user presses a reply button (or a list row) of the message `contextId`. */
  deliverPress(
    o: { contextId: string; id: string; title: string; list?: boolean },
    user: FakeUser,
  ): Promise<string>;
  deliverReaction(o: { messageId: string; emoji: string }, user: FakeUser): Promise<string>;
  /** Any user message object (see `userMessage`), wrapped, signed and delivered. */
  deliverMessage(message: Record<string, unknown>, user: FakeUser): Promise<string>;
  /** Invalid JSON, then a messages webhook whose message has no sender: both must be survived. */
  deliverMalformed(): Promise<void>;
  /** POSTs a body as is (signed with the app secret unless `signature` or `unsigned` says otherwise). */
  post(body: string | Buffer, o?: { signature?: string; unsigned?: boolean }): Promise<WebhookAttempt>;
  /** The business this fake plays, for building payloads. */
  readonly business: WebhookBusiness;
  /** Messages the API accepted, in order (including those it failed afterwards: see `failedWith`). */
  sentMessages(): FakeWhatsappSentMessage[];
  reactions(): Array<{ chatId: string; messageId: string; emoji: string }>;
  /** Read receipts and typing indicators, in order. */
  reads(): Array<{ messageId: string; typing: boolean }>;
  media(): FakeStoredMedia[];
  close(): Promise<void>;
}

export async function startFakeWhatsappServer(
  options: FakeWhatsappOptions = {},
): Promise<FakeWhatsappServer> {
  const server = await startFakeServer();
  const version = options.version ?? 'v21.0';
  const business: WebhookBusiness = {
    wabaId: '200300400500',
    phoneNumberId: options.phoneNumberId ?? '100200300400',
    displayPhoneNumber: options.displayPhoneNumber ?? '15550009999',
  };
  const pendingStatus = new Set<Promise<unknown>>();
  const state: FakeGraphState = {
    phoneNumberId: business.phoneNumberId,
    displayPhoneNumber: business.displayPhoneNumber,
    verifiedName: 'Hermes Fake',
    accessToken: options.accessToken ?? 'fake-access-token',
    templates: new Map(Object.entries(options.templates ?? { hermes_update: 1 })),
    sent: [],
    reactions: [],
    reads: [],
    media: new Map(),
    inbound: new Set(),
    lastUserMessage: new Map(),
    onAccepted: (message) => {
      if (!options.statusWebhooks) return;
      const statuses = message.failedWith
        ? [
            statusUpdate(message.id, message.chatId, 'failed', [
              { code: message.failedWith, title: 'Re-engagement message' },
            ]),
          ]
        : [
            statusUpdate(message.id, message.chatId, 'sent'),
            statusUpdate(message.id, message.chatId, 'delivered'),
          ];
      const delivery = post(JSON.stringify(whatsappWebhookBody(business, { statuses }))).catch(
        () => undefined,
      );
      pendingStatus.add(delivery);
      void delivery.finally(() => pendingStatus.delete(delivery));
    },
  };
  routeFakeGraph(server, version, state);

  const fake: FakeWhatsappServer = {
    url: `${server.url}/${version}`,
    server,
    phoneNumberId: business.phoneNumberId,
    displayPhoneNumber: business.displayPhoneNumber,
    accessToken: state.accessToken,
    webhookUrl: undefined,
    business,
    userWrote: (waId, atMs = Date.now()) => void state.lastUserMessage.set(waId, atMs),
    deliverDm: (text, user, o = {}) => deliverMessage(textMessage({ from: user.waId, ...o }, text), user),
    deliverGroup: (text, o) =>
      deliverMessage(
        textMessage(
          { from: o.user.waId, groupId: o.groupId },
          o.mention ? `@${business.displayPhoneNumber} ${text}` : text,
        ),
        o.user,
      ),
    async deliverMedia(o, user) {
      const id = String(2_000_000_000 + state.media.size + 1);
      state.media.set(id, { id, bytes: o.bytes, mime: o.mime, name: o.name });
      const type = o.kind === 'voice' ? 'audio' : o.kind === 'file' ? 'document' : o.kind;
      const body: Record<string, unknown> = { id, mime_type: o.mime };
      if (o.kind === 'voice') body['voice'] = true;
      if (type === 'document') body['filename'] = o.name;
      if (o.caption !== undefined) body['caption'] = o.caption;
      return deliverMessage(userMessage({ from: user.waId }, type, body), user);
    },
    deliverPress: (o, user) =>
      deliverMessage(
        interactiveReply(
          { from: user.waId, contextId: o.contextId },
          { kind: o.list ? 'list_reply' : 'button_reply', id: o.id, title: o.title },
        ),
        user,
      ),
    deliverReaction: (o, user) =>
      deliverMessage(reactionMessage({ from: user.waId }, o.messageId, o.emoji), user),
    deliverMessage: (message, user) => deliverMessage(message, user),
    async deliverMalformed() {
      const garbage = await post('{"object": "whatsapp_business_account", "entry": [');
      if (garbage.status !== 400) throw new Error(`invalid JSON should get 400, got ${garbage.status}`);
      const noSender = whatsappWebhookBody(business, {
        messages: [{ id: newWamid(), type: 'text', text: { body: 'who sent this?' } }],
      });
      const missing = await post(JSON.stringify(noSender));
      if (missing.status !== 200)
        throw new Error(`a batch with one unreadable message should get 200, got ${missing.status}`);
    },
    post: (body, o = {}) => post(body, o),
    sentMessages: () => state.sent.filter((m) => m.failedWith === undefined),
    reactions: () => [...state.reactions],
    reads: () => [...state.reads],
    media: () => [...state.media.values()],
    async close() {
      await Promise.allSettled([...pendingStatus]);
      await server.close();
    },
  };

  function target(): string {
    const url = typeof fake.webhookUrl === 'function' ? fake.webhookUrl() : fake.webhookUrl;
    if (url === undefined)
      throw new Error('FakeWhatsappServer.webhookUrl is not set: point it at the started adapter');
    return url;
  }

  function post(
    body: string | Buffer,
    o: { signature?: string; unsigned?: boolean } = {},
  ): Promise<WebhookAttempt> {
    const signing =
      o.signature !== undefined
        ? { signature: o.signature }
        : o.unsigned || options.appSecret === undefined
          ? {}
          : { appSecret: options.appSecret };
    return sendWhatsappWebhook(target(), body, signing);
  }

  async function deliverMessage(message: Record<string, unknown>, user: FakeUser): Promise<string> {
    const id = String(message['id']);
    state.inbound.add(id);
    state.lastUserMessage.set(user.waId, Date.now());
    const body = whatsappWebhookBody(business, {
      contacts: [{ waId: user.waId, ...(user.name === undefined ? {} : { name: user.name }) }],
      messages: [message],
    });
    const answer = await post(JSON.stringify(body));
    if (answer.status !== 200)
      throw new Error(`the adapter answered the webhook with ${answer.status}: ${answer.body}`);
    return id;
  }

  return fake;
}

/** A message base for hand-built payloads from this user. */
export function fromUser(user: FakeUser, extra: Omit<MessageBase, 'from'> = {}): MessageBase {
  return { from: user.waId, ...extra };
}
