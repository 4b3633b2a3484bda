import type { FakeChat, FakeEntity, FakeMessage, FakeUser } from './fake-types.js';
import type { FakeWorld } from './fake-world.js';

export interface FakeTextOptions {
  chat: FakeChat;
  from: FakeUser;
  text: string;
  /** Puts `@botname ` in front of the text with a `mention` entity, as a Telegram client does. */
  mentionBot?: boolean;
  /** A forum topic id (from `openTopic`): the message is sent inside that topic. */
  threadId?: number;
  /** A message of the same chat this one replies to. */
  replyTo?: FakeMessage;
  /** The part of the replied-to message the user selected. */
  quote?: string;
  /** More entities (offsets in UTF-16 units of the final text). */
  entities?: FakeEntity[];
}

export type FakeMediaKind = 'photo' | 'voice' | 'audio' | 'document' | 'video' | 'sticker' | 'animation';

export interface FakeMediaOptions extends Omit<FakeTextOptions, 'text'> {
  kind: FakeMediaKind;
  data: Buffer;
  name?: string;
  mime?: string;
  caption?: string;
  /** Shared by the items of one album. */
  mediaGroupId?: string;
}

const DEFAULT_MIME: Record<FakeMediaKind, string> = {
  photo: 'image/jpeg',
  voice: 'audio/ogg',
  audio: 'audio/mpeg',
  document: 'application/octet-stream',
  video: 'video/mp4',
  sticker: 'image/webp',
  animation: 'video/mp4',
};

/** Text plus entities, with the bot mention in front when asked. */
function textWithMention(
  world: FakeWorld,
  o: { text: string; mentionBot?: boolean; entities?: FakeEntity[] },
) {
  const entities = [...(o.entities ?? [])];
  if (!o.mentionBot) return { text: o.text, entities };
  const mention = `@${world.bot.username}`;
  const shift = mention.length + 1;
  return {
    text: `${mention} ${o.text}`,
    entities: [
      { type: 'mention', offset: 0, length: mention.length },
      ...entities.map((e) => ({ ...e, offset: e.offset + shift })),
    ],
  };
}

/** The common head of a user's message: ids, chat, author, topic and reply. */
function messageHead(world: FakeWorld, o: Omit<FakeTextOptions, 'text'>): FakeMessage {
  const message: FakeMessage = {
    message_id: world.nextMessageId(o.chat.id),
    date: Math.floor(Date.now() / 1000),
    chat: o.chat,
    from: o.from,
  };
  if (o.threadId !== undefined) {
    message['message_thread_id'] = o.threadId;
    message['is_topic_message'] = true;
    // Inside a topic, Telegram points reply_to_message at the topic's opening message unless it is a real reply.
    if (!o.replyTo) message['reply_to_message'] = world.message(o.chat.id, o.threadId);
  }
  if (o.replyTo) message['reply_to_message'] = o.replyTo;
  if (o.quote !== undefined) message['quote'] = { text: o.quote, position: 0 };
  return message;
}

export function buildTextMessage(world: FakeWorld, o: FakeTextOptions): FakeMessage {
  const message = messageHead(world, o);
  const { text, entities } = textWithMention(world, o);
  message['text'] = text;
  if (entities.length > 0) message['entities'] = entities;
  world.remember(message);
  return message;
}

/** A message carrying one file, stored in the fake so getFile can serve it. */
export function buildMediaMessage(world: FakeWorld, o: FakeMediaOptions): FakeMessage {
  const message = messageHead(world, o);
  const mime = o.mime ?? DEFAULT_MIME[o.kind];
  const file = world.storeFile(o.data, { mime, ...(o.name ? { name: o.name } : {}), folder: `${o.kind}s` });
  const described: Record<string, unknown> = {
    file_id: file.fileId,
    file_unique_id: file.uniqueId,
    file_size: o.data.length,
  };
  if (o.kind === 'photo') {
    // Telegram sends several sizes; the last is the largest.
    message['photo'] = [
      { ...described, file_id: `${file.fileId}-thumb`, width: 90, height: 90, file_size: 100 },
      { ...described, width: 1280, height: 960 },
    ];
  } else {
    message[o.kind] = { ...described, mime_type: mime, ...(o.name ? { file_name: o.name } : {}) };
    if (o.kind === 'animation') message['document'] = message['animation'];
  }
  if (o.caption !== undefined) {
    const { text, entities } = textWithMention(world, { text: o.caption, mentionBot: o.mentionBot ?? false });
    message['caption'] = text;
    if (entities.length > 0) message['caption_entities'] = entities;
  }
  if (o.mediaGroupId !== undefined) message['media_group_id'] = o.mediaGroupId;
  world.remember(message);
  return message;
}

/** A command as clients send it: `/name` (or `/name@bot`) with a bot_command entity at offset 0. */
export function buildCommandMessage(
  world: FakeWorld,
  o: Omit<FakeTextOptions, 'text' | 'mentionBot'> & { command: string; args?: string; addressedTo?: string },
): FakeMessage {
  const head = o.addressedTo === undefined ? `/${o.command}` : `/${o.command}@${o.addressedTo}`;
  const text = o.args ? `${head} ${o.args}` : head;
  return buildTextMessage(world, {
    ...o,
    text,
    entities: [{ type: 'bot_command', offset: 0, length: head.length }],
  });
}
