import type { ServerResponse } from 'node:http';
import type { FakeServer, RecordedRequest } from '@hermes/adapter-testkit';
import type { FakeMattermostStore, FakePost } from './fake-store.js';

export interface FakeRestRecords {
  /** Create-post calls to process and then leave unanswered (the socket is cut); '' matches any channel. */
  loseResponses: string[];
  edits: Array<{ postId: string; channelId: string; message: string; props?: unknown }>;
  reactions: Array<{ postId: string; channelId: string; emojiName: string; userId: string }>;
  typing: Array<{ userId: string; channelId: string; parentId: string }>;
  deletes: Array<{ postId: string; channelId: string }>;
}

export interface FakeRestOptions {
  store: FakeMattermostStore;
  /** token → user id. */
  userForToken(token: string): string | undefined;
  onPosted(post: FakePost): void;
  onEdited(post: FakePost): void;
  /** The largest message the server accepts (Mattermost: 16383 runes). */
  maxPostRunes: number;
}

const API = '/api/v4';

/** Mattermost answers JSON with exactly this content type; Client4 parses nothing else as JSON. */
export function respondMattermost(res: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(payload.length) });
  res.end(payload);
}

/** Mattermost's AppError body. */
export function respondAppError(res: ServerResponse, status: number, id: string, message: string): void {
  respondMattermost(res, status, {
    id,
    message,
    detailed_error: '',
    request_id: 'fake-request',
    status_code: status,
  });
}

/** Scripts the REST v4 routes the adapter uses, with Mattermost's status codes and error bodies. */
export function installFakeRest(server: FakeServer, o: FakeRestOptions): FakeRestRecords {
  const { store } = o;
  const records: FakeRestRecords = { loseResponses: [], edits: [], reactions: [], typing: [], deletes: [] };

  const authed = (
    handler: (
      req: RecordedRequest,
      res: ServerResponse,
      userId: string,
      match: RegExpExecArray,
    ) => void | Promise<void>,
    pattern: RegExp,
  ) => {
    return async (req: RecordedRequest, res: ServerResponse) => {
      const header = req.headers.authorization ?? '';
      const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
      const userId = token === undefined ? undefined : o.userForToken(token);
      if (userId === undefined) {
        respondAppError(
          res,
          401,
          'api.context.session_expired.app_error',
          'Invalid or expired session, please login again.',
        );
        return;
      }
      await handler(req, res, userId, pattern.exec(req.path)!);
    };
  };
  const route = (
    method: string,
    pattern: RegExp,
    handler: (
      req: RecordedRequest,
      res: ServerResponse,
      userId: string,
      match: RegExpExecArray,
    ) => void | Promise<void>,
  ) => server.route(method, pattern, authed(handler, pattern));
  const jsonBody = (req: RecordedRequest, res: ServerResponse): Record<string, unknown> | undefined => {
    try {
      const body = req.json<unknown>();
      if (typeof body === 'object' && body !== null && !Array.isArray(body))
        return body as Record<string, unknown>;
    } catch {
      // falls through to the 400 below
    }
    respondAppError(
      res,
      400,
      'api.context.invalid_body_param.app_error',
      'Invalid or missing body in request body.',
    );
    return undefined;
  };

  route('GET', /^\/api\/v4\/users\/me$/, (_req, res, userId) => {
    const user = store.users.get(userId)!;
    respondMattermost(res, 200, { ...user, roles: 'system_user', create_at: 1, update_at: 1, delete_at: 0 });
  });

  route('GET', /^\/api\/v4\/users\/me\/teams$/, (_req, res) => {
    respondMattermost(res, 200, [
      { id: store.teamId, name: 'fake-team', display_name: 'Fake team', type: 'O' },
    ]);
  });

  route('GET', /^\/api\/v4\/users\/me\/teams\/([a-z0-9-]+)\/channels$/, (_req, res, _user, m) => {
    if (m[1] !== store.teamId) {
      respondAppError(
        res,
        403,
        'api.context.permissions.app_error',
        'You do not have the appropriate permissions.',
      );
      return;
    }
    // Like the server, a team's list includes the DM and group channels (they belong to no team).
    respondMattermost(res, 200, [...store.channels.values()]);
  });

  route('GET', /^\/api\/v4\/channels\/([A-Za-z0-9_-]+)$/, (_req, res, _user, m) => {
    const channel = store.channels.get(m[1]!);
    if (!channel) {
      respondAppError(res, 404, 'app.channel.get.existing.app_error', 'Unable to find the existing channel.');
      return;
    }
    respondMattermost(res, 200, channel);
  });

  route('GET', /^\/api\/v4\/channels\/([A-Za-z0-9_-]+)\/posts$/, (req, res, _user, m) => {
    const channelId = m[1]!;
    if (!store.channels.has(channelId)) {
      respondAppError(res, 404, 'app.channel.get.existing.app_error', 'Unable to find the existing channel.');
      return;
    }
    const since = Number(req.query.get('since') ?? '0');
    const posts = [...store.posts.values()]
      .filter((p) => p.channel_id === channelId && (since > 0 ? p.update_at > since : true))
      .sort((a, b) => b.create_at - a.create_at);
    respondMattermost(res, 200, {
      order: posts.map((p) => p.id),
      posts: Object.fromEntries(posts.map((p) => [p.id, store.publicPost(p)])),
      next_post_id: '',
      prev_post_id: '',
      has_next: false,
    });
  });

  route('POST', /^\/api\/v4\/posts$/, (req, res, userId) => {
    const body = jsonBody(req, res);
    if (!body) return;
    const channelId = typeof body['channel_id'] === 'string' ? body['channel_id'] : '';
    const message = typeof body['message'] === 'string' ? body['message'] : '';
    const rootId = typeof body['root_id'] === 'string' ? body['root_id'] : '';
    const fileIds = Array.isArray(body['file_ids']) ? body['file_ids'].map(String) : [];
    const pending = typeof body['pending_post_id'] === 'string' ? body['pending_post_id'] : '';
    if (!store.channels.has(channelId)) {
      respondAppError(res, 400, 'model.post.is_valid.channel_id.app_error', 'Invalid channel id.');
      return;
    }
    if ([...message].length > o.maxPostRunes) {
      respondAppError(
        res,
        400,
        'model.post.is_valid.message_length.app_error',
        'Message property length is greater than the max allowed.',
      );
      return;
    }
    if (message === '' && fileIds.length === 0 && body['props'] === undefined) {
      respondAppError(res, 400, 'api.post.create_post.message_empty', 'Cannot post an empty message.');
      return;
    }
    if (rootId !== '') {
      const root = store.posts.get(rootId);
      if (!root || root.channel_id !== channelId || root.root_id !== '') {
        respondAppError(res, 400, 'api.post.create_post.root_id.app_error', 'Invalid RootId parameter.');
        return;
      }
    }
    const seen = pending === '' ? undefined : store.pendingPostIds.get(pending);
    if (seen !== undefined) {
      // Mattermost dedupes a retried create by pending_post_id and answers with the first post.
      respondMattermost(res, 201, store.publicPost(store.posts.get(seen)!));
      return;
    }
    const props =
      typeof body['props'] === 'object' && body['props'] !== null
        ? (body['props'] as Record<string, unknown>)
        : {};
    const post = store.createPost({
      userId,
      channelId,
      message,
      rootId,
      fileIds,
      props,
      pendingPostId: pending,
      viaApi: true,
    });
    o.onPosted(post);
    const lose = records.loseResponses.findIndex((channel) => channel === '' || channel === channelId);
    if (lose >= 0) {
      // The post exists, the client never hears so: only pending_post_id keeps its resend from duplicating.
      records.loseResponses.splice(lose, 1);
      res.socket?.destroy();
      return;
    }
    respondMattermost(res, 201, store.publicPost(post));
  });

  route('GET', /^\/api\/v4\/posts\/([a-z0-9]+)$/, (_req, res, _user, m) => {
    const post = store.posts.get(m[1]!);
    if (post?.delete_at !== 0) {
      respondAppError(res, 404, 'app.post.get.app_error', 'Unable to get the post.');
      return;
    }
    respondMattermost(res, 200, store.publicPost(post));
  });

  route('PUT', /^\/api\/v4\/posts\/([a-z0-9]+)\/patch$/, (req, res, userId, m) => {
    const body = jsonBody(req, res);
    if (!body) return;
    const post = store.posts.get(m[1]!);
    if (post?.delete_at !== 0) {
      respondAppError(res, 404, 'app.post.get.app_error', 'Unable to get the post.');
      return;
    }
    if (post.user_id !== userId) {
      respondAppError(
        res,
        403,
        'api.context.permissions.app_error',
        'You do not have the appropriate permissions.',
      );
      return;
    }
    if (typeof body['message'] === 'string') {
      if ([...body['message']].length > o.maxPostRunes) {
        respondAppError(
          res,
          400,
          'model.post.is_valid.message_length.app_error',
          'Message property length is greater than the max allowed.',
        );
        return;
      }
      post.message = body['message'];
    }
    if (typeof body['props'] === 'object' && body['props'] !== null)
      post.props = body['props'] as Record<string, unknown>;
    post.edit_at = store.now();
    post.update_at = post.edit_at;
    records.edits.push({
      postId: post.id,
      channelId: post.channel_id,
      message: post.message,
      props: body['props'],
    });
    respondMattermost(res, 200, store.publicPost(post));
    o.onEdited(post);
  });

  route('DELETE', /^\/api\/v4\/posts\/([a-z0-9]+)$/, (_req, res, userId, m) => {
    const post = store.posts.get(m[1]!);
    if (post?.delete_at !== 0) {
      respondAppError(res, 404, 'app.post.get.app_error', 'Unable to get the post.');
      return;
    }
    if (post.user_id !== userId) {
      respondAppError(
        res,
        403,
        'api.context.permissions.app_error',
        'You do not have the appropriate permissions.',
      );
      return;
    }
    post.delete_at = store.now();
    post.update_at = post.delete_at;
    records.deletes.push({ postId: post.id, channelId: post.channel_id });
    respondMattermost(res, 200, { status: 'OK' });
  });

  route('POST', /^\/api\/v4\/reactions$/, (req, res, userId) => {
    const body = jsonBody(req, res);
    if (!body) return;
    const post = store.posts.get(String(body['post_id'] ?? ''));
    if (body['user_id'] !== userId) {
      respondAppError(
        res,
        403,
        'api.context.permissions.app_error',
        'You do not have the appropriate permissions.',
      );
      return;
    }
    const emojiName = String(body['emoji_name'] ?? '');
    if (!post || !/^[a-z0-9_+-]{1,64}$/.test(emojiName)) {
      respondAppError(res, 400, 'model.reaction.is_valid.emoji_name.app_error', 'Invalid emoji name.');
      return;
    }
    records.reactions.push({ postId: post.id, channelId: post.channel_id, emojiName, userId });
    respondMattermost(res, 201, {
      user_id: userId,
      post_id: post.id,
      emoji_name: emojiName,
      create_at: store.now(),
    });
  });

  route('POST', /^\/api\/v4\/users\/([a-z0-9-]+)\/typing$/, (req, res, userId, m) => {
    const body = jsonBody(req, res);
    if (!body) return;
    const target = m[1] === 'me' ? userId : m[1];
    if (target !== userId) {
      respondAppError(
        res,
        403,
        'api.context.permissions.app_error',
        'You do not have the appropriate permissions.',
      );
      return;
    }
    records.typing.push({
      userId,
      channelId: String(body['channel_id'] ?? ''),
      parentId: String(body['parent_id'] ?? ''),
    });
    respondMattermost(res, 200, { status: 'OK' });
  });

  route('POST', /^\/api\/v4\/files$/, async (req, res, userId) => {
    const type = String(req.headers['content-type'] ?? '');
    if (!type.startsWith('multipart/form-data')) {
      respondAppError(
        res,
        400,
        'api.file.upload_file.incorrect_number_of_files.app_error',
        'Unable to upload files.',
      );
      return;
    }
    const form = await new Response(req.body, { headers: { 'content-type': type } }).formData();
    const channelId = String(form.get('channel_id') ?? '');
    if (!store.channels.has(channelId)) {
      respondAppError(res, 400, 'api.file.upload_file.channel_id.app_error', 'Invalid channel id.');
      return;
    }
    const infos = [];
    for (const entry of form.getAll('files')) {
      if (typeof entry === 'string') continue;
      const bytes = Buffer.from(await entry.arrayBuffer());
      const file = store.addFile({
        userId,
        channelId,
        name: entry.name,
        mime: entry.type || 'application/octet-stream',
        bytes,
      });
      infos.push(store.fileInfo(file.id));
    }
    if (infos.length === 0) {
      respondAppError(
        res,
        400,
        'api.file.upload_file.incorrect_number_of_files.app_error',
        'Unable to upload files.',
      );
      return;
    }
    respondMattermost(res, 201, { file_infos: infos, client_ids: [] });
  });

  route('GET', /^\/api\/v4\/files\/([a-z0-9]+)$/, (_req, res, _user, m) => {
    const file = store.files.get(m[1]!);
    if (!file) {
      respondAppError(res, 404, 'app.file_info.get.app_error', 'Unable to get the file info.');
      return;
    }
    res.writeHead(200, {
      'content-type': file.mime_type,
      'content-length': String(file.bytes.length),
      'content-disposition': `attachment;filename="${file.name}"`,
    });
    res.end(file.bytes);
  });

  return records;
}

export { API as FAKE_API_PREFIX };
