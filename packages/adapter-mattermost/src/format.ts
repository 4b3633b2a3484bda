import { type Capabilities, type MarkdownChunk, prepareOutboundText } from '@hermes/adapter-core';

/** Mattermost's default upload cap (FileSettings.MaxFileSize, 100 MB); servers may set less. */
export const MATTERMOST_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/**
 * What Mattermost supports. Posts are Markdown (GFM-like) that the server counts in runes; the Python
 * gateway splits at 4000, well below the server's 16383. `buttons` is added per adapter when the button
 * endpoint is configured (see `mattermostCapabilities`).
 */
export const MATTERMOST_CAPABILITIES: Capabilities = {
  maxMessageLength: 4000,
  lengthUnit: 'char',
  markdown: 'markdown',
  edit: true,
  delete: true,
  typing: true,
  reactions: true,
  threads: true,
  media: {
    send: ['image', 'audio', 'voice', 'video', 'file'],
    receive: ['image', 'audio', 'video', 'file'],
    maxUploadBytes: MATTERMOST_MAX_UPLOAD_BYTES,
  },
  // Mattermost's optional rate limiter defaults to 10 requests per second per session.
  chatRateLimit: { messages: 5, perMs: 1_000 },
};

/** The capabilities of an adapter with or without the button endpoint. */
export function mattermostCapabilities(buttons: boolean): Capabilities {
  return buttons ? { ...MATTERMOST_CAPABILITIES, buttons: true } : MATTERMOST_CAPABILITIES;
}

/**
 * Standard Markdown in, chunks split to Mattermost's limit out. Core parses once, splits before rendering
 * and never cuts inside a code fence: do not split or escape here.
 */
export function formatMattermostText(
  text: string,
  format: 'markdown' | 'plain' = 'markdown',
): MarkdownChunk[] {
  return prepareOutboundText(text, MATTERMOST_CAPABILITIES, format);
}
