import type {
  SlackFakeDelete,
  SlackFakePost,
  SlackFakeReaction,
  SlackFakeStream,
  SlackFakeUpdate,
  SlackFakeUpload,
} from './records.js';
import type { SlackIdSource } from './slack-ids.js';

export interface FakeIdentity {
  botUserId: string;
  botId: string;
  botName: string;
  teamId: string;
  teamName: string;
  appId: string;
}

export interface FakeWebApiState {
  identity: FakeIdentity;
  ids: SlackIdSource;
  baseUrl(): string;
  maxTextLength: number;
  /** When set, chat.postMessage to any other channel is channel_not_found. */
  knownChannels: ReadonlySet<string> | undefined;
  posts: SlackFakePost[];
  updates: SlackFakeUpdate[];
  deletes: SlackFakeDelete[];
  reactions: SlackFakeReaction[];
  uploads: SlackFakeUpload[];
  streams: SlackFakeStream[];
  /** false: chat.startStream answers as for an app without the AI features. */
  nativeStreaming: boolean;
  /** Files whose bytes arrived at their upload URL, waiting for files.completeUploadExternal. */
  staged: Map<string, { filename: string; length: number; bytes?: Buffer }>;
  issueTicket(): string;
  /** The bot's own post, echoed back as a message event when the fake is told to. */
  onBotPost(post: SlackFakePost): void;
}

export type FakeAuth = 'bot' | 'app' | 'none' | 'invalid';
export type FakeAnswer = Record<string, unknown>;

const fail = (error: string, extra: Record<string, unknown> = {}): FakeAnswer => ({
  ok: false,
  error,
  ...extra,
});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Which token each method wants, as Slack enforces it. */
const APP_TOKEN_METHODS = new Set(['apps.connections.open']);

function findPost(state: FakeWebApiState, channel: string | undefined, ts: string | undefined) {
  return state.posts.find((p) => p.channel === channel && p.ts === ts);
}

/** Blocks as the client sent them: a JSON string in a form, an array in a JSON body. */
function blocksOf(value: unknown): Array<Record<string, unknown>> | undefined | 'invalid' {
  if (value === undefined) return undefined;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return 'invalid';
    }
  }
  if (!Array.isArray(parsed) || parsed.some((b) => typeof b !== 'object' || b === null || !('type' in b)))
    return 'invalid';
  return parsed as Array<Record<string, unknown>>;
}

/** Slack's answer to blocks it cannot read. */
const invalidBlocks = () =>
  fail('invalid_blocks', { errors: ['must be an array of block objects with a type'] });

/** The open stream of channel + ts, or Slack's error for why there is none. */
function streamOf(
  state: FakeWebApiState,
  p: Record<string, unknown>,
): { stream: SlackFakeStream } | { refused: FakeAnswer } {
  const channel = str(p['channel']);
  const ts = str(p['ts']);
  if (!channel || !ts)
    return {
      refused: fail('invalid_arguments', {
        response_metadata: { messages: ['channel and ts are required'] },
      }),
    };
  const stream = state.streams.find((x) => x.channel === channel && x.ts === ts);
  if (!stream) return { refused: fail('message_not_found') };
  if (stream.stopped) return { refused: fail('message_not_in_streaming_state') };
  return { stream };
}

function streamText(state: FakeWebApiState, stream: SlackFakeStream, text: string): FakeAnswer | undefined {
  if (text.length > 12_000) return fail('msg_too_long');
  stream.appends.push(text);
  stream.text += text;
  const post = findPost(state, stream.channel, stream.ts);
  if (post) post.text = stream.text;
  return undefined;
}

type Handler = (state: FakeWebApiState, p: Record<string, unknown>) => FakeAnswer;

const handlers: Record<string, Handler> = {
  'auth.test': (state) => ({
    ok: true,
    url: 'https://fake-workspace.slack.com/',
    team: state.identity.teamName,
    user: state.identity.botName,
    team_id: state.identity.teamId,
    user_id: state.identity.botUserId,
    bot_id: state.identity.botId,
    is_enterprise_install: false,
  }),
  'apps.connections.open': (state) => ({
    ok: true,
    url: `${state.baseUrl().replace(/^http/, 'ws')}/link/?ticket=${state.issueTicket()}&app_id=${state.identity.appId}`,
  }),
  'chat.postMessage': (state, p) => {
    const channel = str(p['channel']);
    if (!channel || (state.knownChannels && !state.knownChannels.has(channel)))
      return fail('channel_not_found');
    const text = typeof p['text'] === 'string' ? p['text'] : '';
    if (text === '' && p['blocks'] === undefined && p['attachments'] === undefined) return fail('no_text');
    if (text.length > state.maxTextLength) return fail('msg_too_long');
    const blocks = blocksOf(p['blocks']);
    if (blocks === 'invalid') return invalidBlocks();
    const post: SlackFakePost = { channel, ts: state.ids.ts(), text, params: p, at: Date.now() };
    if (blocks) post.blocks = blocks;
    const threadTs = str(p['thread_ts']);
    if (threadTs) post.threadTs = threadTs;
    state.posts.push(post);
    state.onBotPost(post);
    const message: Record<string, unknown> = {
      type: 'message',
      text,
      user: state.identity.botUserId,
      bot_id: state.identity.botId,
      ts: post.ts,
    };
    if (threadTs) message['thread_ts'] = threadTs;
    return { ok: true, channel, ts: post.ts, message };
  },
  'chat.update': (state, p) => {
    const channel = str(p['channel']);
    const ts = str(p['ts']);
    const post = findPost(state, channel, ts);
    if (!post) return fail('message_not_found');
    const text = typeof p['text'] === 'string' ? p['text'] : '';
    if (text.length > state.maxTextLength) return fail('msg_too_long');
    const blocks = blocksOf(p['blocks']);
    if (blocks === 'invalid') return invalidBlocks();
    if (state.streams.some((x) => x.channel === post.channel && x.ts === post.ts && !x.stopped))
      return fail('message_not_in_streaming_state');
    post.text = text;
    const update: SlackFakeUpdate = { channel: post.channel, ts: post.ts, text, at: Date.now() };
    if (blocks) {
      post.blocks = blocks;
      update.blocks = blocks;
    }
    state.updates.push(update);
    return { ok: true, channel: post.channel, ts: post.ts, text };
  },
  'chat.startStream': (state, p) => {
    if (!state.nativeStreaming) return fail('feature_not_enabled');
    const channel = str(p['channel']);
    if (!channel || (state.knownChannels && !state.knownChannels.has(channel)))
      return fail('channel_not_found');
    const threadTs = str(p['thread_ts']);
    // Streamed messages are replies to a user's request, in a thread.
    if (!threadTs)
      return fail('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] missing required field: thread_ts'] },
      });
    const recipientUserId = str(p['recipient_user_id']);
    const recipientTeamId = str(p['recipient_team_id']);
    if (!channel.startsWith('D')) {
      if (!recipientUserId) return fail('missing_recipient_user_id');
      if (!recipientTeamId) return fail('missing_recipient_team_id');
    }
    const ts = state.ids.ts();
    const stream: SlackFakeStream = { channel, ts, threadTs, appends: [], text: '', stopped: false };
    if (recipientUserId) stream.recipientUserId = recipientUserId;
    if (recipientTeamId) stream.recipientTeamId = recipientTeamId;
    const post: SlackFakePost = { channel, ts, text: '', threadTs, params: p, at: Date.now() };
    const first = typeof p['markdown_text'] === 'string' ? p['markdown_text'] : '';
    state.streams.push(stream);
    state.posts.push(post);
    if (first !== '') {
      const refused = streamText(state, stream, first);
      if (refused) return refused;
    }
    return { ok: true, channel, ts };
  },
  'chat.appendStream': (state, p) => {
    const found = streamOf(state, p);
    if ('refused' in found) return found.refused;
    const { stream } = found;
    const text = typeof p['markdown_text'] === 'string' ? p['markdown_text'] : '';
    if (text === '')
      return fail('invalid_arguments', {
        response_metadata: { messages: ['[ERROR] missing required field: markdown_text'] },
      });
    return streamText(state, stream, text) ?? { ok: true, channel: stream.channel, ts: stream.ts };
  },
  'chat.stopStream': (state, p) => {
    const found = streamOf(state, p);
    if ('refused' in found) return found.refused;
    const { stream } = found;
    const blocks = blocksOf(p['blocks']);
    if (blocks === 'invalid') return invalidBlocks();
    const text = typeof p['markdown_text'] === 'string' ? p['markdown_text'] : '';
    if (text !== '') {
      const refused = streamText(state, stream, text);
      if (refused) return refused;
    }
    stream.stopped = true;
    const post = findPost(state, stream.channel, stream.ts);
    if (post) {
      if (blocks) post.blocks = blocks;
      state.onBotPost(post);
    }
    return {
      ok: true,
      channel: stream.channel,
      ts: stream.ts,
      message: { ts: stream.ts, text: stream.text },
    };
  },
  'chat.delete': (state, p) => {
    const channel = str(p['channel']);
    const ts = str(p['ts']);
    const index = state.posts.findIndex((x) => x.channel === channel && x.ts === ts);
    if (index < 0) return fail('message_not_found');
    state.posts.splice(index, 1);
    state.deletes.push({ channel: channel!, ts: ts!, at: Date.now() });
    return { ok: true, channel, ts };
  },
  'reactions.add': (state, p) => {
    const channel = str(p['channel']);
    const ts = str(p['timestamp']);
    const name = str(p['name']);
    if (!channel || !ts) return fail('message_not_found');
    if (!name) return fail('invalid_name');
    if (state.reactions.some((r) => r.channel === channel && r.ts === ts && r.name === name))
      return fail('already_reacted');
    state.reactions.push({ channel, ts, name, at: Date.now() });
    return { ok: true };
  },
  'users.info': (_state, p) => {
    const user = str(p['user']);
    if (!user) return fail('user_not_found');
    return {
      ok: true,
      user: {
        id: user,
        name: user.toLowerCase(),
        real_name: `User ${user}`,
        profile: { display_name: user },
      },
    };
  },
  'files.getUploadURLExternal': (state, p) => {
    const filename = str(p['filename']);
    const length = Number(p['length']);
    if (!filename) return fail('invalid_arguments', { detail: 'filename is required' });
    if (!Number.isInteger(length) || length < 1)
      return fail('invalid_arguments', { detail: 'length must be a positive integer' });
    const fileId = state.ids.id('F');
    state.staged.set(fileId, { filename, length });
    return { ok: true, upload_url: `${state.baseUrl()}/upload/v1/${fileId}`, file_id: fileId };
  },
  'files.completeUploadExternal': (state, p) => {
    let files: Array<{ id?: unknown; title?: unknown }>;
    try {
      files = typeof p['files'] === 'string' ? JSON.parse(p['files']) : (p['files'] as typeof files);
    } catch {
      return fail('invalid_arguments', { detail: 'files must be a JSON array' });
    }
    if (!Array.isArray(files) || files.length === 0)
      return fail('invalid_arguments', { detail: 'files is empty' });
    const channel = str(p['channel_id']);
    if (channel && state.knownChannels && !state.knownChannels.has(channel)) return fail('channel_not_found');
    const out: FakeAnswer[] = [];
    for (const f of files) {
      const id = str(f.id);
      const staged = id ? state.staged.get(id) : undefined;
      if (!id || !staged?.bytes) return fail('file_not_found');
      state.staged.delete(id);
      const ts = state.ids.ts();
      const upload: SlackFakeUpload = {
        fileId: id,
        filename: staged.filename,
        bytes: staged.bytes,
        channel: channel ?? '',
        ts,
        at: Date.now(),
      };
      const title = str(f.title);
      if (title) upload.title = title;
      const threadTs = str(p['thread_ts']);
      if (threadTs) upload.threadTs = threadTs;
      const comment = str(p['initial_comment']);
      if (comment) upload.initialComment = comment;
      state.uploads.push(upload);
      const shares = channel
        ? { public: { [channel]: [{ ts, ...(threadTs ? { thread_ts: threadTs } : {}) }] } }
        : {};
      out.push({
        id,
        title: title ?? staged.filename,
        name: staged.filename,
        size: staged.bytes.length,
        shares,
      });
    }
    return { ok: true, files: out };
  },
};

/** Answers one Web API call (after faults), enforcing token types like Slack. */
export function answerWebApi(
  state: FakeWebApiState,
  method: string,
  auth: FakeAuth,
  params: Record<string, unknown>,
): FakeAnswer {
  if (auth === 'none') return fail('not_authed');
  if (auth === 'invalid') return fail('invalid_auth');
  const handler = handlers[method];
  if (!handler) return fail('unknown_method', { req_method: method });
  const wantsApp = APP_TOKEN_METHODS.has(method);
  if (wantsApp !== (auth === 'app')) return fail('not_allowed_token_type');
  return handler(state, params);
}
