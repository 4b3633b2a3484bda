import { createHash } from 'node:crypto';
import type { FakeChat, FakeMessage, FakeSentMessage, FakeUser } from './fake-types.js';

/** A file the fake can serve through getFile and /file/bot<token>/<path>. */
export interface FakeStoredFile {
  fileId: string;
  uniqueId: string;
  path: string;
  data: Buffer;
  mime?: string;
  name?: string;
}

/**
 * What the fake Telegram knows: chats, message ids (per chat, shared by users and the bot, as on
 * Telegram), forum topics, stored files and the messages the bot posted.
 */
export class FakeWorld {
  readonly bot: FakeUser;
  readonly #chats = new Map<number, FakeChat>();
  readonly #counters = new Map<number, number>();
  readonly #topics = new Map<number, Set<number>>();
  readonly #messages = new Map<string, FakeMessage>();
  readonly #files = new Map<string, FakeStoredFile>();
  readonly #filesByPath = new Map<string, FakeStoredFile>();
  readonly sent: FakeSentMessage[] = [];
  #fileSeq = 0;

  constructor(bot: FakeUser) {
    this.bot = bot;
  }

  /** Registers a chat (or returns the known one); an unknown id seen in a call is created as its sign says. */
  chat(spec: FakeChat | number): FakeChat {
    const id = typeof spec === 'number' ? spec : spec.id;
    const known = this.#chats.get(id);
    if (known) return known;
    const chat: FakeChat =
      typeof spec === 'number'
        ? {
            id,
            type: id > 0 ? 'private' : 'supergroup',
            ...(id > 0 ? { first_name: `user${id}` } : { title: `chat${id}` }),
          }
        : spec;
    this.#chats.set(id, chat);
    return chat;
  }

  nextMessageId(chatId: number): number {
    const next = (this.#counters.get(chatId) ?? 0) + 1;
    this.#counters.set(chatId, next);
    return next;
  }

  /** Creates a topic in a forum chat; its id is the id of the service message that opened it. */
  openTopic(chat: FakeChat, name: string, creator: FakeUser): FakeMessage {
    const id = this.nextMessageId(chat.id);
    const message: FakeMessage = {
      message_id: id,
      date: Math.floor(Date.now() / 1000),
      chat,
      from: creator,
      message_thread_id: id,
      is_topic_message: true,
      forum_topic_created: { name, icon_color: 7322096 },
    };
    let topics = this.#topics.get(chat.id);
    if (!topics) {
      topics = new Set();
      this.#topics.set(chat.id, topics);
    }
    topics.add(id);
    this.remember(message);
    return message;
  }

  hasTopic(chatId: number, threadId: number): boolean {
    return this.#topics.get(chatId)?.has(threadId) === true;
  }

  closeTopic(chatId: number, threadId: number): void {
    this.#topics.get(chatId)?.delete(threadId);
  }

  remember(message: FakeMessage): void {
    this.#messages.set(`${message.chat.id}:${message.message_id}`, message);
  }

  message(chatId: number, messageId: number): FakeMessage | undefined {
    return this.#messages.get(`${chatId}:${messageId}`);
  }

  forget(chatId: number, messageId: number): boolean {
    return this.#messages.delete(`${chatId}:${messageId}`);
  }

  storeFile(data: Buffer, o: { mime?: string; name?: string; folder?: string } = {}): FakeStoredFile {
    this.#fileSeq += 1;
    const uniqueId = createHash('sha256')
      .update(data)
      .update(String(this.#fileSeq))
      .digest('hex')
      .slice(0, 16);
    const extension = o.name?.includes('.') ? o.name.slice(o.name.lastIndexOf('.')) : '';
    const file: FakeStoredFile = {
      fileId: `fake-file-${this.#fileSeq}-${uniqueId}`,
      uniqueId,
      path: `${o.folder ?? 'documents'}/file_${this.#fileSeq}${extension}`,
      data,
    };
    if (o.mime) file.mime = o.mime;
    if (o.name) file.name = o.name;
    this.#files.set(file.fileId, file);
    this.#filesByPath.set(file.path, file);
    return file;
  }

  file(fileId: string): FakeStoredFile | undefined {
    return this.#files.get(fileId);
  }

  fileAt(path: string): FakeStoredFile | undefined {
    return this.#filesByPath.get(path);
  }
}
