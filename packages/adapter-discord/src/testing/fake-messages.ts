import { createHash } from 'node:crypto';
import { apiMember, apiUser, type Json } from './fake-payloads.js';
import type { FakeWorld } from './fake-world.js';

export interface FakeAttachment {
  id: string;
  filename: string;
  contentType?: string;
  bytes: Buffer;
  url: string;
}

/** A message as the fake stores it; `toApi` turns it into Discord's JSON. */
export interface FakeMessage {
  id: string;
  channelId: string;
  authorId: string;
  content: string;
  createdAt: number;
  editedAt?: number;
  nonce?: string;
  /** The message this one replies to. */
  replyTo?: string;
  attachments: FakeAttachment[];
  flags: number;
  deleted: boolean;
  /** The thread opened from this message (its id equals the message id on Discord). */
  threadId?: string;
  /** Action rows of buttons, as the bot sent or last edited them. */
  components?: unknown[];
  /** The message body the client sent (REST) or the test asked for (user messages). */
  request?: unknown;
}

const USER_MENTION = /<@!?(\d{17,20})>/g;
const ROLE_MENTION = /<@&(\d{17,20})>/g;

/** Messages of every channel, in creation order, with lookups by id. */
export class FakeMessageStore {
  readonly all: FakeMessage[] = [];
  readonly #byId = new Map<string, FakeMessage>();

  add(message: FakeMessage): FakeMessage {
    this.all.push(message);
    this.#byId.set(message.id, message);
    return message;
  }

  get(id: string): FakeMessage | undefined {
    const message = this.#byId.get(id);
    return message?.deleted ? undefined : message;
  }

  inChannel(channelId: string): FakeMessage[] {
    return this.all.filter((m) => m.channelId === channelId && !m.deleted);
  }
}

/** A CDN-style attachment URL with the signed-expiry query Discord adds (ex, is, hm). */
export function attachmentUrl(
  base: string,
  channelId: string,
  attachmentId: string,
  filename: string,
): string {
  const issued = Math.floor(Date.now() / 1000);
  const ex = (issued + 86_400).toString(16);
  const is = issued.toString(16);
  const hm = createHash('sha256').update(`${attachmentId}:${ex}`).digest('hex').slice(0, 32);
  return `${base}/attachments/${channelId}/${attachmentId}/${encodeURIComponent(filename)}?ex=${ex}&is=${is}&hm=${hm}&`;
}

/** Discord's JSON for a stored message, as REST answers and MESSAGE_CREATE carries it. */
export function apiMessage(world: FakeWorld, store: FakeMessageStore, message: FakeMessage, depth = 0): Json {
  const channel = world.channels.get(message.channelId);
  const guildId = channel?.guildId;
  const author = world.users.get(message.authorId) ?? {
    id: message.authorId,
    username: `user${message.authorId.slice(-4)}`,
  };
  const mentioned = [...message.content.matchAll(USER_MENTION)]
    .map((m) => m[1]!)
    .filter((id, i, all) => all.indexOf(id) === i && world.users.has(id));
  const replied = message.replyTo ? store.get(message.replyTo) : undefined;
  if (replied && !mentioned.includes(replied.authorId)) mentioned.push(replied.authorId);
  const json: Json = {
    id: message.id,
    channel_id: message.channelId,
    author: apiUser(author),
    content: message.content,
    timestamp: new Date(message.createdAt).toISOString(),
    edited_timestamp: message.editedAt ? new Date(message.editedAt).toISOString() : null,
    tts: false,
    mention_everyone: false,
    mentions: mentioned.map((id) => ({
      ...apiUser(world.users.get(id)!),
      ...(guildId ? { member: apiMember(world, id, false) } : {}),
    })),
    mention_roles: [...message.content.matchAll(ROLE_MENTION)].map((m) => m[1]!),
    attachments: message.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      size: a.bytes.length,
      url: a.url,
      proxy_url: a.url,
      ...(a.contentType ? { content_type: a.contentType } : {}),
    })),
    embeds: [],
    components: message.components ?? [],
    pinned: false,
    type: message.replyTo ? 19 : 0,
    flags: message.flags,
  };
  if (guildId) {
    json['guild_id'] = guildId;
    json['member'] = apiMember(world, message.authorId, false);
  }
  if (message.nonce !== undefined) json['nonce'] = message.nonce;
  if (message.replyTo) {
    json['message_reference'] = {
      type: 0,
      message_id: message.replyTo,
      channel_id: message.channelId,
      ...(guildId ? { guild_id: guildId } : {}),
    };
    json['referenced_message'] = replied && depth === 0 ? apiMessage(world, store, replied, 1) : null;
  }
  if (message.threadId) {
    const thread = world.channels.get(message.threadId);
    if (thread)
      json['thread'] = { id: thread.id, type: thread.type, name: thread.name, parent_id: thread.parentId };
  }
  return json;
}
