import { type FakeServer, startFakeServer } from '@hermes/adapter-testkit';
import { type FakeActionPress, pressFakeButton } from './fake-actions.js';
import { installFakeRest } from './fake-rest.js';
import { FakeMattermostSockets } from './fake-socket.js';
import { type FakeChannelType, FakeMattermostStore, type FakePost } from './fake-store.js';

/** A message the fake accepted from the adapter, in the conformance suite's terms. */
export interface FakeMattermostSentMessage {
  chatId: string;
  text?: string;
  /** The post's root_id, when it went into a thread. */
  threadId?: string;
  replyTo?: string;
  mediaName?: string;
  mediaBytes?: Buffer;
  /** The post id the server gave it. */
  postId: string;
  raw: unknown;
}

export interface FakeMattermostDeliverOptions {
  chatId?: string;
  fromUserId?: string;
  /** Put the post into this thread (root post id). */
  rootId?: string;
  /** Channel type when the channel does not exist yet. */
  channelType?: FakeChannelType;
  files?: Array<{ name: string; mime: string; bytes: Buffer }>;
}

export interface FakeMattermostServerOptions {
  botUserId?: string;
  botUsername?: string;
  token?: string;
  /** Posts longer than this are refused with 400 (Mattermost's limit is 16383 runes). */
  maxPostRunes?: number;
}

/**
 * A loopback stand-in for Mattermost that speaks its wire protocol: REST v4 (users/me, teams, channels,
 * posts with patch, reactions, typing, files) and `/api/v4/websocket` (authentication_challenge, hello,
 * `posted` events whose post is a JSON string, seq numbers, ping). Usable by any bot built on this package
 * (`import { startFakeMattermostServer } from '@hermes/adapter-mattermost/testing'`).
 */
export interface FakeMattermostServer {
  /** Pass as `url` in the adapter config. */
  readonly url: string;
  /** The underlying toolkit server: recorded requests and frames, fault injection, open sockets. */
  readonly server: FakeServer;
  readonly store: FakeMattermostStore;
  readonly botUserId: string;
  readonly botUsername: string;
  readonly token: string;
  /** Authenticated WebSocket clients right now. */
  readonly authenticatedSockets: number;
  /** A DM from `fromUserId` to the bot. Resolves with the post id. */
  deliverDm(text: string, o?: FakeMattermostDeliverOptions): Promise<string>;
  /** A channel post; with `mention` the text starts with `@botname` and the event lists the bot in `mentions`. */
  deliverGroup(text: string, o: FakeMattermostDeliverOptions & { mention: boolean }): Promise<string>;
  /** Pushes what the adapter must survive: an invalid JSON frame and a `posted` event whose post is not JSON. */
  deliverMalformed(): Promise<void>;
  /** false: sockets stay open but pings go unanswered, like a connection that died without a FIN. */
  answerPings(answer: boolean): void;
  /** Kills every WebSocket without a close frame (a network cut). */
  dropConnection(): Promise<void>;
  /** Answers the next `count` create-post calls with Mattermost's 429 (plain text + Retry-After). */
  rateLimitNextPosts(retryAfterSeconds: number, count?: number): void;
  /** The next `count` create-post calls (in `channelId`, or any) create the post, then cut the socket unanswered. */
  loseNextPostResponses(count?: number, channelId?: string): void;
  /** Skips sequence numbers on the open sockets, as when the server dropped events for a slow client. */
  skipSequence(count: number): void;
  /** Presses a button on a post the way Mattermost does: the server posts to the action's integration URL. */
  pressButton(o: { postId: string; actionId: string; userId?: string }): Promise<FakeActionPress>;
  /** Posts the bot created through the API, in acceptance order (faulted requests are not posts). */
  sentMessages(): FakeMattermostSentMessage[];
  readonly edits: ReadonlyArray<{ postId: string; channelId: string; message: string; props?: unknown }>;
  readonly reactions: ReadonlyArray<{ postId: string; channelId: string; emojiName: string; userId: string }>;
  readonly typing: ReadonlyArray<{ userId: string; channelId: string; parentId: string }>;
  readonly deletes: ReadonlyArray<{ postId: string; channelId: string }>;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeMattermostServer(
  options: FakeMattermostServerOptions = {},
): Promise<FakeMattermostServer> {
  const server = await startFakeServer({ websocketPath: '/api/v4/websocket' });
  const botUserId = options.botUserId ?? 'bot-1';
  const botUsername = options.botUsername ?? 'hermes';
  const token = options.token ?? 'test-token';
  const store = new FakeMattermostStore('team-1');
  store.addUser({ id: botUserId, username: botUsername, is_bot: true });
  const userForToken = (given: string) => (given === token ? botUserId : undefined);
  const sockets = new FakeMattermostSockets(server, { userForToken });

  const emitPosted = (post: FakePost, mentions: string[] = []) => {
    const channel = store.channels.get(post.channel_id)!;
    const sender = store.users.get(post.user_id);
    const data: Record<string, unknown> = {
      channel_display_name: channel.display_name,
      channel_name: channel.name,
      channel_type: channel.type,
      post: JSON.stringify(store.publicPost(post)),
      sender_name: `@${sender?.username ?? post.user_id}`,
      set_online: true,
      team_id: channel.team_id,
    };
    if (mentions.length > 0) data['mentions'] = JSON.stringify(mentions);
    sockets.broadcast('posted', data, {
      omit_users: null,
      user_id: '',
      channel_id: post.channel_id,
      team_id: channel.team_id,
    });
  };
  const records = installFakeRest(server, {
    store,
    userForToken,
    maxPostRunes: options.maxPostRunes ?? 16_383,
    onPosted: (post) => emitPosted(post, mentionedUsers(post.message)),
    onEdited: (post) =>
      sockets.broadcast(
        'post_edited',
        { post: JSON.stringify(store.publicPost(post)) },
        { omit_users: null, user_id: '', channel_id: post.channel_id, team_id: '' },
      ),
  });

  function mentionedUsers(message: string): string[] {
    const ids: string[] = [];
    for (const user of store.users.values()) {
      if (new RegExp(`(^|[^\\w.-])@${escapeRegExp(user.username)}(?![\\w.-])`, 'i').test(message))
        ids.push(user.id);
    }
    return ids;
  }

  function ensureUser(id: string): void {
    if (!store.users.has(id)) store.addUser({ id, username: id.replace(/^user-/, ''), is_bot: false });
  }

  async function deliver(
    text: string,
    chatId: string,
    type: FakeChannelType,
    o: FakeMattermostDeliverOptions,
  ) {
    const userId = o.fromUserId ?? 'user-alice';
    ensureUser(userId);
    store.ensureChannel(chatId, o.channelType ?? type);
    const fileIds = (o.files ?? []).map(
      (f) => store.addFile({ userId, channelId: chatId, name: f.name, mime: f.mime, bytes: f.bytes }).id,
    );
    const post = store.createPost({
      userId,
      channelId: chatId,
      message: text,
      ...(o.rootId ? { rootId: o.rootId } : {}),
      fileIds,
    });
    emitPosted(post, mentionedUsers(text));
    return post.id;
  }

  // The conformance chats exist from the start, so the catch-up after a reconnect lists them.
  store.ensureChannel('dm-alice', 'D', `${botUserId}__user-alice`);
  store.ensureChannel('group-1', 'O', 'town-square');

  return {
    url: server.url,
    server,
    store,
    botUserId,
    botUsername,
    token,
    get authenticatedSockets() {
      return sockets.authenticated;
    },
    deliverDm: (text, o = {}) => deliver(text, o.chatId ?? 'dm-alice', 'D', o),
    deliverGroup: (text, o) =>
      deliver(o.mention ? `@${botUsername} ${text}` : text, o.chatId ?? 'group-1', 'O', o),
    async deliverMalformed() {
      sockets.sendRaw('{"event": "posted", "data": {"post": ');
      sockets.broadcast(
        'posted',
        { channel_type: 'D', post: '{this is not json', sender_name: '@mallory' },
        { omit_users: null, user_id: '', channel_id: 'dm-alice', team_id: '' },
      );
      sockets.broadcast('posted', { channel_type: 'D' }, { channel_id: 'dm-alice' });
    },
    answerPings(answer) {
      sockets.answerPings = answer;
    },
    async dropConnection() {
      server.dropSockets();
    },
    rateLimitNextPosts(retryAfterSeconds, count = 1) {
      server.faults.next(
        {
          kind: 'status',
          status: 429,
          body: 'limit exceeded\n',
          headers: {
            'content-type': 'text/plain; charset=utf-8',
            'retry-after': String(retryAfterSeconds),
            'x-ratelimit-limit': '10',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(retryAfterSeconds),
          },
        },
        count,
        { method: 'POST', path: '/api/v4/posts' },
      );
    },
    loseNextPostResponses(count = 1, channelId = '') {
      for (let i = 0; i < count; i += 1) records.loseResponses.push(channelId);
    },
    skipSequence: (count) => sockets.skipSequence(count),
    pressButton(o) {
      const userId = o.userId ?? 'user-alice';
      ensureUser(userId);
      return pressFakeButton(store, { ...o, userId }, (post) => emitEdited(post));
    },
    sentMessages() {
      return [...store.posts.values()]
        .filter((p) => p.viaApi && p.user_id === botUserId)
        .map((p) => {
          const file = p.file_ids.length > 0 ? store.files.get(p.file_ids[0]!) : undefined;
          const sent: FakeMattermostSentMessage = {
            chatId: p.channel_id,
            postId: p.id,
            raw: store.publicPost(p),
          };
          if (p.message !== '') sent.text = p.message;
          if (p.root_id !== '') sent.threadId = p.root_id;
          if (file) {
            sent.mediaName = file.name;
            sent.mediaBytes = file.bytes;
          }
          return sent;
        });
    },
    edits: records.edits,
    reactions: records.reactions,
    typing: records.typing,
    deletes: records.deletes,
    close: () => server.close(),
  };

  function emitEdited(post: FakePost): void {
    sockets.broadcast(
      'post_edited',
      { post: JSON.stringify(store.publicPost(post)) },
      { omit_users: null, user_id: '', channel_id: post.channel_id, team_id: '' },
    );
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
