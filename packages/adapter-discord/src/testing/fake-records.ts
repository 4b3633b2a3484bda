import type { IncomingHttpHeaders } from 'node:http';
import type { FakeDiscordFault } from './fake-faults.js';
import type { MultipartPart } from './multipart.js';

/** One REST or CDN request as the fake received it, body fully read. */
export interface FakeRequest {
  method: string;
  /** Full path without the query, e.g. `/api/v10/channels/1/messages`. */
  path: string;
  /** The path after `/api/v10` (undefined for CDN and unknown paths). */
  route?: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Multipart parts, for uploads. */
  parts?: MultipartPart[];
  receivedAt: number;
  status?: number;
  respondedAt?: number;
  fault?: FakeDiscordFault;
  json<T = unknown>(): T;
  text(): string;
}

export interface FakeEdit {
  channelId: string;
  messageId: string;
  content: string;
  /** The components the edit set, when it set them (`[]` removes the buttons). */
  components?: unknown[];
  at: number;
}

export interface FakeReaction {
  channelId: string;
  messageId: string;
  emoji: string;
  op: 'add' | 'remove';
  at: number;
}

export interface FakeTyping {
  channelId: string;
  at: number;
}

export interface FakeDelete {
  channelId: string;
  messageId: string;
  at: number;
}

export interface FakeThreadOpened {
  threadId: string;
  parentId: string;
  /** The message the thread was opened on, when there was one. */
  messageId?: string;
  name: string;
  autoArchiveMinutes: number;
  at: number;
}

/** Everything the bot did through REST, in order. */
export class FakeRecords {
  readonly requests: FakeRequest[] = [];
  readonly edits: FakeEdit[] = [];
  readonly reactions: FakeReaction[] = [];
  readonly typing: FakeTyping[] = [];
  readonly deletes: FakeDelete[] = [];
  readonly threads: FakeThreadOpened[] = [];
}
