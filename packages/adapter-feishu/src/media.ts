import { type Attachment, type MediaCacheLike, safeDownload } from '@hermes/adapter-core';
import type { FeishuResourceRef } from './inbound-content.js';
import type { FeishuRestClient } from './rest-client.js';

export interface FeishuMediaOptions {
  cache: MediaCacheLike;
  maxBytes: number;
  /** Only for self-hosted gateways and tests (HERMES_MEDIA_ALLOW_PRIVATE=true); refused by default. */
  allowPrivate: boolean;
  signal?: AbortSignal;
}

/**
 * A lazy attachment for a resource of a received message: nothing is downloaded until the host calls
 * fetch(); then messages/{id}/resources/{key} is fetched with a tenant token through core's safe download
 * (private-address guard, size cap while streaming, sanitised name, sniffed MIME).
 */
export function feishuResourceAttachment(
  rest: FeishuRestClient,
  ref: FeishuResourceRef,
  messageId: string,
  options: FeishuMediaOptions,
): Attachment {
  return {
    kind: ref.kind,
    ...(ref.name ? { name: ref.name } : {}),
    async fetch() {
      const token = await rest.tenantToken();
      const downloaded = await safeDownload(rest.resourceUrl(messageId, ref.key, ref.type), options.cache, {
        maxBytes: options.maxBytes,
        allowPrivate: options.allowPrivate,
        headers: { authorization: `Bearer ${token}` },
        ...(ref.name ? { filename: ref.name } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return downloaded.path;
    },
  };
}
