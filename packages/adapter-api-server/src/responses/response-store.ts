import { RecentMap } from '@hermes/adapter-core';
import type { ApiServerChatMessage } from '../server/chat-request.js';
import type { ResponseObject } from './responses-format.js';

export interface StoredResponse {
  response: ResponseObject;
  /** The conversation up to and including this response's answer: what a follow-up continues. */
  conversation: ApiServerChatMessage[];
}

/**
 * Responses kept for `previous_response_id` and `GET /v1/responses/{id}`, in memory, the least recently used
 * forgotten first. A restart forgets them (the README says so); `store: false` responses are never kept.
 */
export class ResponseStore {
  readonly #entries: RecentMap<StoredResponse>;

  constructor(maxEntries = 1000) {
    this.#entries = new RecentMap(maxEntries);
  }

  get(id: string): StoredResponse | undefined {
    return this.#entries.get(id);
  }

  put(entry: StoredResponse): void {
    this.#entries.set(entry.response.id, entry);
  }
}
