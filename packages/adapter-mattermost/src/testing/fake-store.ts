import { randomBytes } from 'node:crypto';

/** Mattermost's channel types: D direct, G group DM, O public, P private. */
export type FakeChannelType = 'D' | 'G' | 'O' | 'P';

export interface FakeUser {
  id: string;
  username: string;
  is_bot: boolean;
}

export interface FakeChannel {
  id: string;
  team_id: string;
  type: FakeChannelType;
  name: string;
  display_name: string;
  last_post_at: number;
}

export interface FakeFileInfo {
  id: string;
  user_id: string;
  channel_id: string;
  name: string;
  extension: string;
  size: number;
  mime_type: string;
  create_at: number;
  bytes: Buffer;
}

/** A post as the server keeps it; `props.attachments[].actions[].integration` never leaves the server. */
export interface FakePost {
  id: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  delete_at: number;
  user_id: string;
  channel_id: string;
  root_id: string;
  message: string;
  type: string;
  props: Record<string, unknown>;
  file_ids: string[];
  pending_post_id: string;
  /** Set on posts the fake accepted through POST /posts, in acceptance order. */
  viaApi: boolean;
}

/** Mattermost ids: 26 lowercase letters and digits. */
export function newMattermostId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(26);
  let id = '';
  for (const byte of bytes) id += alphabet[byte % alphabet.length];
  return id;
}

/** The server's data: users, channels, posts and files, with the rules the REST routes enforce. */
export class FakeMattermostStore {
  readonly users = new Map<string, FakeUser>();
  readonly channels = new Map<string, FakeChannel>();
  readonly posts = new Map<string, FakePost>();
  readonly files = new Map<string, FakeFileInfo>();
  /** pending_post_id → post id: the server answers a retried create with the first post. */
  readonly pendingPostIds = new Map<string, string>();
  readonly teamId: string;
  #lastTime = 0;

  constructor(teamId: string) {
    this.teamId = teamId;
  }

  /** Strictly increasing milliseconds, so `since` queries are exact even within one millisecond. */
  now(): number {
    this.#lastTime = Math.max(Date.now(), this.#lastTime + 1);
    return this.#lastTime;
  }

  addUser(user: FakeUser): void {
    this.users.set(user.id, user);
  }

  ensureChannel(id: string, type: FakeChannelType, name = id): FakeChannel {
    const existing = this.channels.get(id);
    if (existing) return existing;
    const channel: FakeChannel = {
      id,
      team_id: type === 'D' || type === 'G' ? '' : this.teamId,
      type,
      name,
      display_name: name,
      last_post_at: 0,
    };
    this.channels.set(id, channel);
    return channel;
  }

  createPost(input: {
    userId: string;
    channelId: string;
    message: string;
    rootId?: string;
    fileIds?: string[];
    props?: Record<string, unknown>;
    pendingPostId?: string;
    viaApi?: boolean;
  }): FakePost {
    const at = this.now();
    const post: FakePost = {
      id: newMattermostId(),
      create_at: at,
      update_at: at,
      edit_at: 0,
      delete_at: 0,
      user_id: input.userId,
      channel_id: input.channelId,
      root_id: input.rootId ?? '',
      message: input.message,
      type: '',
      props: input.props ?? {},
      file_ids: input.fileIds ?? [],
      pending_post_id: input.pendingPostId ?? '',
      viaApi: input.viaApi ?? false,
    };
    this.posts.set(post.id, post);
    const channel = this.channels.get(input.channelId);
    if (channel) channel.last_post_at = at;
    if (input.pendingPostId) this.pendingPostIds.set(input.pendingPostId, post.id);
    for (const fileId of post.file_ids) {
      const file = this.files.get(fileId);
      if (file) file.channel_id = input.channelId;
    }
    return post;
  }

  addFile(input: {
    userId: string;
    channelId: string;
    name: string;
    mime: string;
    bytes: Buffer;
  }): FakeFileInfo {
    const dot = input.name.lastIndexOf('.');
    const file: FakeFileInfo = {
      id: newMattermostId(),
      user_id: input.userId,
      channel_id: input.channelId,
      name: input.name,
      extension: dot >= 0 ? input.name.slice(dot + 1) : '',
      size: input.bytes.length,
      mime_type: input.mime,
      create_at: this.now(),
      bytes: input.bytes,
    };
    this.files.set(file.id, file);
    return file;
  }

  /** The post as clients see it: integrations stripped, file metadata attached. */
  publicPost(post: FakePost): Record<string, unknown> {
    const { viaApi: _viaApi, ...rest } = post;
    return {
      ...rest,
      props: stripIntegrations(post.props),
      metadata: { files: post.file_ids.flatMap((id) => this.fileInfo(id) ?? []) },
    };
  }

  fileInfo(id: string): Record<string, unknown> | undefined {
    const file = this.files.get(id);
    if (!file) return undefined;
    const { bytes: _bytes, ...info } = file;
    return info;
  }
}

/** Mattermost removes `integration` (URL and context) from actions before a post reaches any client. */
function stripIntegrations(props: Record<string, unknown>): Record<string, unknown> {
  const attachments = props['attachments'];
  if (!Array.isArray(attachments)) return props;
  return {
    ...props,
    attachments: attachments.map((attachment: unknown) => {
      if (typeof attachment !== 'object' || attachment === null) return attachment;
      const actions = (attachment as { actions?: unknown }).actions;
      if (!Array.isArray(actions)) return attachment;
      return {
        ...attachment,
        actions: actions.map((action: unknown) => {
          if (typeof action !== 'object' || action === null) return action;
          const { integration: _integration, ...visible } = action as Record<string, unknown>;
          return visible;
        }),
      };
    }),
  };
}
