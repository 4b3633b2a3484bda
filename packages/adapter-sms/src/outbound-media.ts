import { randomBytes } from 'node:crypto';
import { copyFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  type MediaCacheLike,
  mimeForExtension,
  type OutboundMedia,
  RecentMap,
  sanitizeFilename,
} from '@hermes/adapter-core';

/** A local file Twilio may fetch once we hand it the URL. */
export interface ServedMedia {
  path: string;
  name: string;
  mime: string;
  expiresAt: number;
}

export type MediaOffer = { ok: true; url: string } | { ok: false; reason: string };

/**
 * Twilio sends an MMS by fetching `mediaUrl` itself, so a local file must be reachable from the internet.
 * The adapter's webhook server is (it is what SMS_WEBHOOK_URL points at), so files are offered there
 * under an unguessable 128-bit token that expires: `<public origin>/webhooks/twilio/media/<token>/<name>`.
 * Without a public URL nothing can be offered and the caller falls back to text.
 */
export class OutboundMediaStore {
  readonly #served = new RecentMap<ServedMedia>(1000);
  readonly #publicBase: string | undefined;
  readonly #ttlMs: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  readonly #cache: MediaCacheLike;

  constructor(o: {
    publicBase: string | undefined;
    ttlMs: number;
    maxBytes: number;
    /** Offered files are copied here: Twilio fetches later, after the caller may have removed its file. */
    cache: MediaCacheLike;
    now?: () => number;
  }) {
    this.#cache = o.cache;
    this.#publicBase = o.publicBase?.replace(/\/$/, '');
    this.#ttlMs = o.ttlMs;
    this.#maxBytes = o.maxBytes;
    this.#now = o.now ?? Date.now;
  }

  async offer(media: OutboundMedia): Promise<MediaOffer> {
    if (this.#publicBase === undefined) {
      return {
        ok: false,
        reason: 'MMS media needs a public URL Twilio can fetch; set SMS_WEBHOOK_URL to send files',
      };
    }
    let size: number;
    try {
      const info = await stat(media.path);
      if (!info.isFile()) return { ok: false, reason: 'the attachment is not a file' };
      size = info.size;
    } catch {
      return { ok: false, reason: 'the attachment file could not be read' };
    }
    if (size > this.#maxBytes) {
      return {
        ok: false,
        reason: `the file is ${(size / 2 ** 20).toFixed(1)} MB; MMS carries at most ${(this.#maxBytes / 2 ** 20).toFixed(0)} MB`,
      };
    }
    const name = sanitizeFilename(media.name ?? basename(media.path));
    const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
    const mime = media.mime ?? mimeForExtension(ext) ?? 'application/octet-stream';
    const copy = this.#cache.pathFor(name);
    try {
      await copyFile(media.path, copy);
    } catch {
      return { ok: false, reason: 'the attachment file could not be copied for Twilio to fetch' };
    }
    const token = randomBytes(16).toString('hex');
    this.#served.set(token, { path: copy, name, mime, expiresAt: this.#now() + this.#ttlMs });
    return { ok: true, url: `${this.#publicBase}/media/${token}/${encodeURIComponent(name)}` };
  }

  /** The file behind a token, while it has not expired. */
  lookup(token: string): ServedMedia | undefined {
    const entry = this.#served.get(token);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#served.delete(token);
      return undefined;
    }
    return entry;
  }
}
