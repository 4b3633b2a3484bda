import { type Capabilities, type MarkdownChunk, prepareOutboundText } from '@hermes/adapter-core';

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
};

/**
 * Standard Markdown in, chunks rendered to Matrix HTML (`formatted_body`) and split to the limit out. Core
 * parses once, splits before rendering and never cuts inside a code fence.
 */
export function formatMatrixText(text: string, format: 'markdown' | 'plain' = 'markdown'): MarkdownChunk[] {
  return prepareOutboundText(text, MATRIX_CAPABILITIES, format);
}
