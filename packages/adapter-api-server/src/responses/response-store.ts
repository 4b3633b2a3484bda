import { createHash } from 'node:crypto';
import { RecentMap, type ResponseRecordStore, type ResponseRetention } from '@hermes/adapter-core';
import type { ApiServerChatMessage } from '../server/chat-request.js';
import type { ResponseObject } from './responses-format.js';

/** A response kept for `GET /v1/responses/{id}` and `previous_response_id`. Plain JSON data. */
export interface ApiServerStoredResponse {
  response: ResponseObject;
  /** The conversation up to and including this response's answer: what a follow-up continues. */
  conversation: ApiServerChatMessage[];
}

/**
 * Where stored responses live. Either method may answer synchronously or with a promise, so a database or
 * a remote store fits as well as a Map. `scope` separates callers (a fingerprint of the API key): `get`
 * must only find what `put` stored under the same scope, and nothing past the store's retention.
 * `put` must have made the entry readable when it returns (or resolves): the client may chain from it at once.
 */
export interface ApiServerResponseStore {
  get(
    id: string,
    scope: string,
  ): ApiServerStoredResponse | undefined | Promise<ApiServerStoredResponse | undefined>;
  put(entry: ApiServerStoredResponse, scope: string): void | Promise<void>;
}

/** 1,000 newest responses, none older than 30 days (how long OpenAI keeps stored responses by default). */
export const DEFAULT_RESPONSE_RETENTION: ResponseRetention = {
  maxResponses: 1000,
  maxAgeMs: 30 * 24 * 3_600_000,
};

interface MemoryEntry {
  scope: string;
  storedAt: number;
  entry: ApiServerStoredResponse;
}

/**
 * The default store: in memory, the oldest forgotten first once `maxResponses` are kept, and none returned
 * after `maxAgeMs`. A restart forgets everything; a host that has a database passes its own store instead.
 */
export class InMemoryResponseStore implements ApiServerResponseStore {
  readonly #entries: RecentMap<MemoryEntry>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(retention: ResponseRetention = DEFAULT_RESPONSE_RETENTION, now: () => number = Date.now) {
    this.#entries = new RecentMap(retention.maxResponses);
    this.#maxAgeMs = retention.maxAgeMs;
    this.#now = now;
  }

  get(id: string, scope: string): ApiServerStoredResponse | undefined {
    const found = this.#entries.get(id);
    if (!found) return undefined;
    if (this.#now() - found.storedAt > this.#maxAgeMs) {
      this.#entries.delete(id);
      return undefined;
    }
    return found.scope === scope ? found.entry : undefined;
  }

  put(entry: ApiServerStoredResponse, scope: string): void {
    this.#entries.set(entry.response.id, { scope, storedAt: this.#now(), entry });
  }
}

function isStoredResponse(value: unknown): value is ApiServerStoredResponse {
  if (typeof value !== 'object' || value === null) return false;
  const { response, conversation } = value as Record<string, unknown>;
  return (
    typeof response === 'object' &&
    response !== null &&
    typeof (response as Record<string, unknown>)['id'] === 'string' &&
    Array.isArray(conversation) &&
    conversation.every(
      (m) =>
        typeof m === 'object' &&
        m !== null &&
        typeof (m as Record<string, unknown>)['role'] === 'string' &&
        typeof (m as Record<string, unknown>)['content'] === 'string',
    )
  );
}

/**
 * A response store over a host's durable JSON records (`AdapterServices.openResponseStore`). A record that
 * no longer parses into a stored response (hand-edited, or from a future version) counts as missing.
 */
export function responseStoreFromRecords(records: ResponseRecordStore): ApiServerResponseStore {
  return {
    async get(id, scope) {
      const json = await records.get(id, scope);
      if (json === undefined) return undefined;
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch {
        return undefined;
      }
      return isStoredResponse(value) && value.response.id === id ? value : undefined;
    },
    put: (entry, scope) => records.put(entry.response.id, scope, JSON.stringify(entry)),
  };
}

/**
 * The scope of a caller: with a key, a fingerprint of it (never the key itself, which must not reach a
 * database), so responses stored under one key are not found with another one (a rotated key, or another
 * server sharing the store); without a key, one shared scope.
 */
export function responseScope(key: string | undefined): string {
  if (key === undefined) return 'open';
  return `key:${createHash('sha256').update('hermes api_server response scope\0').update(key).digest('hex').slice(0, 32)}`;
}
