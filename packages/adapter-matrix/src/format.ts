import { type Capabilities, type MarkdownChunk, prepareOutboundText } from '@hermes/adapter-core';

/**
 * How long after a keyed send the host may repeat it (`capabilities.idempotentSend.windowMs`). The
 * client-server spec ("Transaction identifiers") makes a repeated PUT with the same transaction id, from the
 * same device to the same endpoint, return the first event and create nothing, but it sets no time the
 * server must remember the id. Synapse keeps it in an in-memory cache swept every 30 minutes of entries
 * older than 30 minutes, so at least 30 minutes while it runs. Ten minutes is a third of that floor: room
 * for servers that forget sooner, and the host counts from the reply's creation, before the first try.
 */
export const MATRIX_IDEMPOTENT_SEND_WINDOW_MS = 10 * 60_000;

/**
 * What the Matrix adapter supports. Matrix has no hard message limit below the 64 KiB event cap; 4000
 * characters of HTML per message keeps long answers readable (the Python gateway chunks there too).
 */
export const MATRIX_CAPABILITIES: Capabilities = {
  maxMessageLength: 4000,
  lengthUnit: 'char',
  markdown: 'matrix-html',
  edit: true,
  delete: true,
  typing: true,
  reactions: true,
  threads: true,
  media: {
    send: ['image', 'file', 'audio', 'voice', 'video'],
    receive: ['image', 'file', 'audio', 'voice', 'video', 'sticker'],
    maxUploadBytes: 50 * 1024 * 1024,
  },
  // Synapse's default rc_message is 0.2/s with a burst of 10: stream edits must stay well inside it.
  chatRateLimit: { messages: 10, perMs: 10_000 },
  // Transaction ids derived from OutboundMessage.idempotencyKey (outbound.ts); not with E2EE (adapter.ts).
  idempotentSend: { windowMs: MATRIX_IDEMPOTENT_SEND_WINDOW_MS },
};

/**
 * Standard Markdown in, chunks rendered to Matrix HTML (`formatted_body`) and split to the limit out. Core
 * parses once, splits before rendering and never cuts inside a code fence.
 */
export function formatMatrixText(text: string, format: 'markdown' | 'plain' = 'markdown'): MarkdownChunk[] {
  return prepareOutboundText(text, MATRIX_CAPABILITIES, format);
}
