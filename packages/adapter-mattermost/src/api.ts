import { openAsBlob } from 'node:fs';
import { AdapterError } from '@hermes/adapter-core';
import type { MattermostRest } from './rest.js';

const PLATFORM = 'mattermost';

/** The parts of Mattermost's objects the adapter reads. Everything from the server is checked before use. */
export interface MattermostUser {
  id: string;
  username: string;
}

export interface MattermostChannelInfo {
  id: string;
  type: string;
  name?: string;
  display_name?: string;
  last_post_at?: number;
}

export interface MattermostCreatedPost {
  id: string;
  channel_id: string;
  root_id: string;
  create_at: number;
}

export interface MattermostPostInput {
  channel_id: string;
  message: string;
  root_id?: string;
  file_ids?: string[];
  props?: Record<string, unknown>;
  /** Lets the server answer a resent create with the first post instead of posting twice. */
  pending_post_id: string;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return value as Record<string, unknown>;
  throw new AdapterError('protocol', `Mattermost answered ${what} with something that is not an object`, {
    platform: PLATFORM,
  });
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function createdPost(value: unknown, what: string): MattermostCreatedPost {
  const post = record(value, what);
  const id = text(post['id']);
  if (!id)
    throw new AdapterError('protocol', `Mattermost answered ${what} without a post id`, {
      platform: PLATFORM,
    });
  return {
    id,
    channel_id: text(post['channel_id']) ?? '',
    root_id: text(post['root_id']) ?? '',
    create_at: typeof post['create_at'] === 'number' ? post['create_at'] : 0,
  };
}

/** The REST v4 calls the adapter makes, each one through Client4's routes. */
export class MattermostApi {
  readonly #rest: MattermostRest;

  constructor(rest: MattermostRest) {
    this.#rest = rest;
  }

  get #client() {
    return this.#rest.client;
  }

  async getMe(signal?: AbortSignal): Promise<{ user: MattermostUser; serverTime?: number }> {
    const response = await this.#rest.call<unknown>({
      method: 'GET',
      url: this.#client.getUserRoute('me'),
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
    const user = record(response.data, 'GET /users/me');
    const id = text(user['id']);
    const username = text(user['username']);
    if (!id || !username)
      throw new AdapterError('protocol', 'Mattermost GET /users/me has no id or username', {
        platform: PLATFORM,
      });
    return response.serverTime === undefined
      ? { user: { id, username } }
      : { user: { id, username }, serverTime: response.serverTime };
  }

  async getMyTeamIds(signal?: AbortSignal): Promise<string[]> {
    const { data } = await this.#rest.call<unknown>({
      method: 'GET',
      url: `${this.#client.getUserRoute('me')}/teams`,
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
    if (!Array.isArray(data)) return [];
    return data.flatMap((team: unknown) => {
      const id = typeof team === 'object' && team !== null ? text((team as { id?: unknown }).id) : undefined;
      return id ? [id] : [];
    });
  }

  async getMyChannels(teamId: string, signal?: AbortSignal): Promise<MattermostChannelInfo[]> {
    const { data } = await this.#rest.call<unknown>({
      method: 'GET',
      url: `${this.#client.getUserRoute('me')}/teams/${encodeURIComponent(teamId)}/channels`,
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
    if (!Array.isArray(data)) return [];
    return data.flatMap((raw: unknown) => {
      if (typeof raw !== 'object' || raw === null) return [];
      const channel = raw as Record<string, unknown>;
      const id = text(channel['id']);
      const type = text(channel['type']);
      if (!id || !type) return [];
      const info: MattermostChannelInfo = { id, type };
      const name = text(channel['name']);
      const displayName = text(channel['display_name']);
      if (name !== undefined) info.name = name;
      if (displayName !== undefined) info.display_name = displayName;
      if (typeof channel['last_post_at'] === 'number') info.last_post_at = channel['last_post_at'];
      return [info];
    });
  }

  /** Posts created or changed after `since` (ms), oldest first, as raw objects for the inbound mapper. */
  async getPostsSince(channelId: string, since: number, signal?: AbortSignal): Promise<unknown[]> {
    const url = `${this.#client.getChannelRoute(channelId)}/posts?since=${Math.max(0, Math.floor(since))}&skipFetchThreads=false&collapsedThreads=false`;
    const { data } = await this.#rest.call<unknown>({
      method: 'GET',
      url,
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
    const list = record(data, 'GET /channels/{id}/posts');
    const posts = record(list['posts'] ?? {}, 'GET /channels/{id}/posts (posts)');
    const order = Array.isArray(list['order']) ? list['order'] : Object.keys(posts);
    return order
      .map((id) => posts[String(id)])
      .filter((post): post is Record<string, unknown> => typeof post === 'object' && post !== null)
      .sort((a, b) => Number(a['create_at'] ?? 0) - Number(b['create_at'] ?? 0));
  }

  async createPost(post: MattermostPostInput, signal?: AbortSignal): Promise<MattermostCreatedPost> {
    const { data } = await this.#rest.call<unknown>({
      method: 'POST',
      url: this.#client.getPostsRoute(),
      body: post,
      // pending_post_id makes a resend safe: the server answers it with the first post.
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
    return createdPost(data, 'POST /posts');
  }

  async patchPost(
    postId: string,
    patch: { message?: string; props?: Record<string, unknown> },
    signal?: AbortSignal,
  ): Promise<MattermostCreatedPost> {
    const { data } = await this.#rest.call<unknown>({
      method: 'PUT',
      url: `${this.#client.getPostRoute(postId)}/patch`,
      body: patch,
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
    return createdPost(data, 'PUT /posts/{id}/patch');
  }

  async getPost(postId: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const { data } = await this.#rest.call<unknown>({
      method: 'GET',
      url: this.#client.getPostRoute(postId),
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
    return record(data, 'GET /posts/{id}');
  }

  async deletePost(postId: string, signal?: AbortSignal): Promise<void> {
    await this.#rest.call<unknown>({
      method: 'DELETE',
      url: this.#client.getPostRoute(postId),
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
  }

  async addReaction(userId: string, postId: string, emojiName: string, signal?: AbortSignal): Promise<void> {
    await this.#rest.call<unknown>({
      method: 'POST',
      url: this.#client.getReactionsRoute(),
      body: { user_id: userId, post_id: postId, emoji_name: emojiName },
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
  }

  async publishTyping(
    userId: string,
    channelId: string,
    parentId: string,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.#rest.call<unknown>({
      method: 'POST',
      url: `${this.#client.getUserRoute(userId)}/typing`,
      body: { channel_id: channelId, parent_id: parentId },
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
  }

  /** Uploads one local file into a channel; the blob streams from disk. Resolves with the file id. */
  async uploadFile(
    channelId: string,
    file: { path: string; name: string; mime?: string },
    signal?: AbortSignal,
  ): Promise<string> {
    const blob = await openAsBlob(file.path, file.mime ? { type: file.mime } : {});
    const form = new FormData();
    form.append('channel_id', channelId);
    form.append('files', blob, file.name);
    const { data } = await this.#rest.call<unknown>({
      method: 'POST',
      url: this.#client.getFilesRoute(),
      body: form,
      // A resend leaves at most an unattached file behind, which nobody sees.
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
    const infos = record(data, 'POST /files')['file_infos'];
    const first = Array.isArray(infos) ? (infos[0] as { id?: unknown } | undefined) : undefined;
    const id = text(first?.id);
    if (!id)
      throw new AdapterError('protocol', 'Mattermost POST /files answered without a file id', {
        platform: PLATFORM,
      });
    return id;
  }

  fileUrl(fileId: string): string {
    return this.#client.getFileUrl(fileId, 0);
  }

  websocketUrl(): string {
    return this.#client.getWebSocketUrl().replace(/^http/i, 'ws');
  }
}
