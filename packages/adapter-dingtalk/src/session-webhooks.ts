import { RecentMap } from '@hermes/adapter-core';
import {
  DINGTALK_DEFAULT_API_BASE,
  DINGTALK_WEBHOOK_CACHE_SIZE,
  DINGTALK_WEBHOOK_SAFETY_MARGIN_MS,
} from './constants.js';

/** DingTalk's own hosts for session webhooks. */
const DINGTALK_WEBHOOK_PATTERN = /^https:\/\/(api|oapi)\.dingtalk\.com\//;

export interface DingtalkWebhookPolicy {
  /** The configured API base: when it is not DingTalk's, its origin is trusted too (self-hosted proxies, tests). */
  apiBase: string;
  now?: () => number;
  maxEntries?: number;
  safetyMarginMs?: number;
}

export type DingtalkWebhookVerdict = { ok: true } | { ok: false; reason: string };

/** Whether a session webhook URL may receive a reply: DingTalk's hosts, or the configured API base's origin. */
export function checkDingtalkWebhookUrl(url: string, apiBase: string): DingtalkWebhookVerdict {
  if (DINGTALK_WEBHOOK_PATTERN.test(url)) return { ok: true };
  if (apiBase !== DINGTALK_DEFAULT_API_BASE) {
    try {
      if (new URL(url).origin === new URL(apiBase).origin) return { ok: true };
    } catch {
      return { ok: false, reason: 'not a URL' };
    }
  }
  return {
    ok: false,
    reason: `host is not api.dingtalk.com, oapi.dingtalk.com${apiBase === DINGTALK_DEFAULT_API_BASE ? '' : ` or ${apiBase}`}`,
  };
}

interface Entry {
  url: string;
  /** Epoch ms after which the webhook is no longer used. */
  usableUntil: number;
}

/**
 * The newest session webhook of each chat (bounded), each usable until DingTalk's expiry minus a safety
 * margin. Replies go there while it is valid; otherwise the adapter sends proactively.
 */
export class DingtalkSessionWebhooks {
  readonly #entries: RecentMap<Entry>;
  readonly #apiBase: string;
  readonly #now: () => number;
  readonly #marginMs: number;

  constructor(policy: DingtalkWebhookPolicy) {
    this.#apiBase = policy.apiBase;
    this.#now = policy.now ?? Date.now;
    this.#marginMs = policy.safetyMarginMs ?? DINGTALK_WEBHOOK_SAFETY_MARGIN_MS;
    this.#entries = new RecentMap(policy.maxEntries ?? DINGTALK_WEBHOOK_CACHE_SIZE);
  }

  /** Caches the webhook of an inbound message; refuses (and says why) one on a host that is not trusted. */
  remember(chatId: string, url: string, expiresAt: number): DingtalkWebhookVerdict {
    const verdict = checkDingtalkWebhookUrl(url, this.#apiBase);
    if (!verdict.ok) return verdict;
    const usableUntil = expiresAt - this.#marginMs;
    if (usableUntil <= this.#now()) return { ok: false, reason: 'expires within the safety margin' };
    this.#entries.set(chatId, { url, usableUntil });
    return verdict;
  }

  /** The chat's webhook if it is still usable; an expired one is forgotten. */
  get(chatId: string): string | undefined {
    const entry = this.#entries.get(chatId);
    if (!entry) return undefined;
    if (entry.usableUntil <= this.#now()) {
      this.#entries.delete(chatId);
      return undefined;
    }
    return entry.url;
  }

  /** DingTalk refused the webhook: stop using it, unless a newer one replaced it meanwhile. */
  forget(chatId: string, url: string): void {
    if (this.#entries.get(chatId)?.url === url) this.#entries.delete(chatId);
  }

  get size(): number {
    return this.#entries.size;
  }
}
