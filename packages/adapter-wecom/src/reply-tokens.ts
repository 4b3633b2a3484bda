import {
  WECOM_REPLY_CACHE_MAX_AGE_MS,
  WECOM_REPLY_CACHE_MAX_ENTRIES,
  WECOM_REPLY_CACHE_MAX_PENDING,
} from './constants.js';
import { LinkedMap } from './linked-map.js';

/** A callback's req_id: the only thing that lets the bot answer passively (and answer in groups at all). */
export interface WecomReplyToken {
  reqId: string;
  msgid: string;
  chatId: string;
  at: number;
  /** The socket the callback came in on; WeCom forgets the req_id when that socket goes. */
  connection?: number;
}

export interface WecomReplyTokenCacheOptions {
  /** Tokens already answered (and chats) kept, oldest evicted first. Default 1000. */
  maxEntries?: number;
  /** Nothing older is used; WeCom would reject it anyway. Default 24 h. */
  maxAgeMs?: number;
  /**
   * Safety cap on tokens still waiting for their first reply. Reached only when the host answers
   * nothing for a long flood; each eviction is reported through `onPendingEvicted`.
   */
  maxPending?: number;
  now?: () => number;
  onPendingEvicted?(token: WecomReplyToken): void;
}

export interface WecomReplyTokenStats {
  pending: number;
  answered: number;
  chats: number;
  pendingEvicted: number;
}

/**
 * msgid → req_id and chat → latest req_id. A token whose message has not been answered yet is never
 * evicted by the size bound: under a burst, the size-only cache of the original dropped the tokens of
 * messages the agent was still working on, and most replies went out proactively (or failed in groups).
 */
export class WecomReplyTokenCache {
  readonly #pending = new LinkedMap<WecomReplyToken>();
  readonly #answered = new LinkedMap<WecomReplyToken>();
  /** Chats whose latest token is still pending: kept whatever their number (bounded by maxPending). */
  readonly #pendingChats = new LinkedMap<WecomReplyToken>();
  /** The other chats, oldest first, bounded by maxEntries. */
  readonly #chats = new LinkedMap<WecomReplyToken>();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;
  readonly #maxPending: number;
  readonly #now: () => number;
  readonly #onPendingEvicted: ((token: WecomReplyToken) => void) | undefined;
  #pendingEvicted = 0;

  constructor(options: WecomReplyTokenCacheOptions = {}) {
    this.#maxEntries = Math.max(1, options.maxEntries ?? WECOM_REPLY_CACHE_MAX_ENTRIES);
    this.#maxAgeMs = options.maxAgeMs ?? WECOM_REPLY_CACHE_MAX_AGE_MS;
    this.#maxPending = Math.max(1, options.maxPending ?? WECOM_REPLY_CACHE_MAX_PENDING);
    this.#now = options.now ?? Date.now;
    this.#onPendingEvicted = options.onPendingEvicted;
  }

  /** Called for a message that passed the access policy; its reply is now pending. */
  remember(msgid: string, chatId: string, reqId: string, connection?: number): void {
    const token: WecomReplyToken = { reqId, msgid, chatId, at: this.#now() };
    if (connection !== undefined) token.connection = connection;
    // LinkedMap.set moves a key already there to the newest end, so only the other map needs a delete.
    this.#answered.delete(msgid);
    this.#pending.set(msgid, token);
    this.#chats.delete(chatId);
    this.#pendingChats.set(chatId, token);
    this.#sweep();
  }

  forMessage(msgid: string): WecomReplyToken | undefined {
    const token = this.#pending.get(msgid) ?? this.#answered.get(msgid);
    if (token && this.#expired(token)) {
      this.forget(msgid);
      return undefined;
    }
    return token;
  }

  /** The latest token of a chat: how a message without `replyTo` (cron, home channel) still goes passively. */
  forChat(chatId: string): WecomReplyToken | undefined {
    const token = this.#pendingChats.get(chatId) ?? this.#chats.get(chatId);
    if (token && this.#expired(token)) {
      this.#pendingChats.delete(chatId);
      this.#chats.delete(chatId);
      return undefined;
    }
    return token;
  }

  /** The message got its reply: from now on its token is an ordinary, evictable cache entry. */
  markAnswered(msgid: string): void {
    const token = this.#pending.get(msgid);
    if (token) {
      this.#pending.delete(msgid);
      this.#answered.set(msgid, token);
      this.#unpinChat(token);
    } else {
      const answered = this.#answered.get(msgid);
      if (!answered) return;
      // Refresh recency: a message answered in several parts keeps its token while parts follow.
      this.#answered.delete(msgid);
      this.#answered.set(msgid, answered);
    }
    this.#sweep();
  }

  /** WeCom said the token is dead (846605): never use it again. */
  forget(msgid: string): void {
    const token = this.#pending.get(msgid) ?? this.#answered.get(msgid);
    this.#pending.delete(msgid);
    this.#answered.delete(msgid);
    if (!token) return;
    if (this.#pendingChats.get(token.chatId)?.msgid === msgid) this.#pendingChats.delete(token.chatId);
    if (this.#chats.get(token.chatId)?.msgid === msgid) this.#chats.delete(token.chatId);
  }

  isPending(msgid: string): boolean {
    return this.#pending.has(msgid);
  }

  stats(): WecomReplyTokenStats {
    return {
      pending: this.#pending.size,
      answered: this.#answered.size,
      chats: this.#chats.size + this.#pendingChats.size,
      pendingEvicted: this.#pendingEvicted,
    };
  }

  clear(): void {
    this.#pending.clear();
    this.#answered.clear();
    this.#chats.clear();
    this.#pendingChats.clear();
  }

  /** The chat's latest token was answered (or dropped): the chat entry becomes evictable. */
  #unpinChat(token: WecomReplyToken): void {
    if (this.#pendingChats.get(token.chatId)?.msgid !== token.msgid) return;
    this.#pendingChats.delete(token.chatId);
    this.#chats.set(token.chatId, token);
  }

  #expired(token: WecomReplyToken, now = this.#now()): boolean {
    return now - token.at > this.#maxAgeMs;
  }

  #sweep(): void {
    const now = this.#now();
    this.#dropExpiredHead(this.#pending, now);
    this.#dropExpiredHead(this.#answered, now);
    this.#dropExpiredHead(this.#chats, now);
    this.#dropExpiredHead(this.#pendingChats, now);
    while (this.#pending.size > this.#maxPending) {
      const evicted = this.#pending.shiftOldest();
      if (!evicted) break;
      this.#pendingEvicted++;
      this.#unpinChat(evicted);
      this.#onPendingEvicted?.(evicted);
    }
    while (this.#answered.size > this.#maxEntries) this.#answered.shiftOldest();
    while (this.#chats.size > this.#maxEntries) this.#chats.shiftOldest();
  }

  /** Entries are in insertion order, so the expired ones are all at the front. */
  #dropExpiredHead(map: LinkedMap<WecomReplyToken>, now: number): void {
    for (let token = map.peekOldest(); token && this.#expired(token, now); token = map.peekOldest()) {
      map.shiftOldest();
    }
  }
}
