import type { ChatRef, ChatType, InboundMessage, Sender } from '@hermes/adapter-core';
import type { MattermostChannelInfo } from './api.js';
import { type MattermostFileMeta, type MattermostMediaOptions, mattermostAttachment } from './media.js';
import type { MattermostSocketEvent } from './socket.js';

/** One thing the transport hands up: a WebSocket event, or a post fetched after a reconnect. */
export type MattermostPayload =
  | { source: 'event'; event: MattermostSocketEvent }
  | { source: 'catch-up'; post: unknown; channel: MattermostChannelInfo };

/**
 * What one payload became. `seen` names every post that could be read, so the transport knows from when
 * to fetch after a drop, even for posts it ignores (its own echoes, unmentioned channel chatter).
 */
export type MattermostInbound =
  | { kind: 'message'; message: InboundMessage; seen: SeenPost }
  | { kind: 'ignored'; reason: string; seen?: SeenPost }
  | { kind: 'malformed'; problem: string };

/** A post that was read, whatever became of it. */
export interface SeenPost {
  id: string;
  createAt: number;
}

export interface MattermostInboundContext {
  bot: { id: string; username: string };
  /** Channels and group DMs: only messages that mention the bot (or continue one of its threads). */
  requireMention: boolean;
  /** True when the bot posted in the thread with this root: replies there need no mention. */
  inBotThread(rootId: string): boolean;
  fileUrl(fileId: string): string;
  media: MattermostMediaOptions;
  now(): Date;
}

interface ParsedPost {
  id: string;
  channelId: string;
  userId: string;
  message: string;
  createAt: number;
  rootId: string;
  type: string;
  props: Record<string, unknown>;
  files: MattermostFileMeta[];
}

const CHAT_TYPES: Record<string, ChatType> = { D: 'dm', G: 'group', O: 'channel', P: 'channel' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function parseFiles(metadata: unknown): MattermostFileMeta[] {
  const files = isRecord(metadata) ? metadata['files'] : undefined;
  if (!Array.isArray(files)) return [];
  return files.flatMap((file: unknown) => {
    if (!isRecord(file) || !str(file['id'])) return [];
    const meta: MattermostFileMeta = { id: str(file['id'])! };
    if (str(file['name'])) meta.name = str(file['name'])!;
    if (str(file['mime_type'])) meta.mime = str(file['mime_type'])!;
    if (typeof file['size'] === 'number') meta.size = file['size'];
    return [meta];
  });
}

/** Reads a post object; undefined names the first field that is missing. */
function parsePost(value: unknown): ParsedPost | string {
  if (!isRecord(value)) return 'the post is not a JSON object';
  const id = str(value['id']);
  const channelId = str(value['channel_id']);
  const userId = str(value['user_id']);
  const createAt = value['create_at'];
  if (!id) return 'the post has no id';
  if (!channelId) return 'the post has no channel_id';
  if (!userId) return 'the post has no user_id';
  if (typeof createAt !== 'number' || !Number.isFinite(createAt)) return 'the post has no numeric create_at';
  return {
    id,
    channelId,
    userId,
    createAt,
    message: str(value['message']) ?? '',
    rootId: str(value['root_id']) ?? '',
    type: str(value['type']) ?? '',
    props: isRecord(value['props']) ? value['props'] : {},
    files: parseFiles(value['metadata']),
  };
}

function parseMentions(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  try {
    const list = JSON.parse(value) as unknown;
    return Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `@name` as Mattermost recognises it: not inside a word, and not followed by more of a username. */
function mentionPattern(username: string): RegExp {
  return new RegExp(`(^|[^\\w.-])@${escapeRegExp(username)}(?![\\w-]|\\.\\w)`, 'gi');
}

/** Text without the bot's @-mentions; `mentioned` when one was there. */
export function stripMattermostMention(text: string, username: string): { text: string; mentioned: boolean } {
  const pattern = mentionPattern(username);
  const mentioned = pattern.test(text);
  pattern.lastIndex = 0;
  if (!mentioned) return { text, mentioned };
  const stripped = text
    .replace(pattern, (_all, before: string) => before)
    .replace(/^[\s,:]+/, '')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
  return { text: stripped, mentioned };
}

function isFromBot(props: Record<string, unknown>): boolean {
  return props['from_bot'] === 'true' || props['from_webhook'] === 'true' || props['from_bot'] === true;
}

interface Envelope {
  post: unknown;
  channelType: string;
  channelName?: string;
  senderName?: string;
  mentions: string[];
  raw: unknown;
}

function envelopeOf(payload: MattermostPayload): Envelope | { ignored: string } | { malformed: string } {
  if (payload.source === 'catch-up') {
    const envelope: Envelope = {
      post: payload.post,
      channelType: payload.channel.type,
      mentions: [],
      raw: payload.post,
    };
    const name = payload.channel.display_name ?? payload.channel.name;
    if (name) envelope.channelName = name;
    return envelope;
  }
  const { event } = payload;
  if (event.event !== 'posted') return { ignored: `event ${event.event}` };
  if (!isRecord(event.data)) return { malformed: 'a posted event without a data object' };
  const data = event.data;
  const postText = str(data['post']);
  if (postText === undefined) return { malformed: 'a posted event whose data.post is not a JSON string' };
  let post: unknown;
  try {
    post = JSON.parse(postText);
  } catch {
    return { malformed: 'a posted event whose data.post is not valid JSON' };
  }
  const envelope: Envelope = {
    post,
    channelType: str(data['channel_type']) ?? 'O',
    mentions: parseMentions(data['mentions']),
    raw: event,
  };
  const channelName = str(data['channel_display_name']) || str(data['channel_name']);
  if (channelName) envelope.channelName = channelName;
  const sender = str(data['sender_name']);
  if (sender) envelope.senderName = sender.replace(/^@/, '');
  return envelope;
}

/** Maps one Mattermost payload to an InboundMessage. Never throws: bad input is `malformed`. */
export function mapMattermostInbound(
  payload: MattermostPayload,
  context: MattermostInboundContext,
): MattermostInbound {
  const envelope = envelopeOf(payload);
  if ('ignored' in envelope) return { kind: 'ignored', reason: envelope.ignored };
  if ('malformed' in envelope) return { kind: 'malformed', problem: envelope.malformed };
  const post = parsePost(envelope.post);
  if (typeof post === 'string') return { kind: 'malformed', problem: post };
  const seen: SeenPost = { id: post.id, createAt: post.createAt };
  if (post.userId === context.bot.id) return { kind: 'ignored', reason: 'own post', seen };
  if (post.type !== '') return { kind: 'ignored', reason: `system post ${post.type}`, seen };
  if (isFromBot(post.props)) return { kind: 'ignored', reason: 'post from another bot or a webhook', seen };

  const chatType = CHAT_TYPES[envelope.channelType] ?? 'channel';
  const stripped = stripMattermostMention(post.message, context.bot.username);
  const mentionsBot = stripped.mentioned || envelope.mentions.includes(context.bot.id);
  if (
    chatType !== 'dm' &&
    context.requireMention &&
    !mentionsBot &&
    !(post.rootId !== '' && context.inBotThread(post.rootId))
  ) {
    return { kind: 'ignored', reason: 'channel message without a bot mention', seen };
  }
  const chat: ChatRef = { platform: 'mattermost', chatId: post.channelId, chatType };
  if (post.rootId !== '') chat.threadId = post.rootId;
  if (envelope.channelName) chat.chatName = envelope.channelName;
  const sender: Sender = { id: post.userId, isBot: false };
  if (envelope.senderName) sender.name = envelope.senderName;
  const message: InboundMessage = {
    id: post.id,
    chat,
    sender,
    text: stripped.text,
    mentionsBot,
    attachments: post.files.map((file) =>
      mattermostAttachment(context.fileUrl(file.id), file, context.media),
    ),
    receivedAt: context.now(),
    raw: envelope.raw,
  };
  return { kind: 'message', message, seen };
}
