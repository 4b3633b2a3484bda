import { type Capabilities, prepareOutboundText, renderMarkdown } from '@hermes/adapter-core';
import { SIGNAL_MAX_ATTACHMENT_BYTES, SIGNAL_MAX_MESSAGE_LENGTH } from './constants.js';
import { deriveSignalTextStyles } from './text-styles.js';

/**
 * What Signal supports through signal-cli. Length is counted in UTF-16 units like Signal's own indices;
 * the text is plain (Markdown stripped by core's plain dialect) with emphasis carried as text styles.
 */
export const SIGNAL_CAPABILITIES: Capabilities = {
  maxMessageLength: SIGNAL_MAX_MESSAGE_LENGTH,
  lengthUnit: 'utf16',
  markdown: 'plain',
  edit: false,
  delete: false,
  typing: true,
  reactions: true,
  threads: false,
  media: {
    send: ['image', 'audio', 'voice', 'video', 'file'],
    receive: ['image', 'audio', 'voice', 'video', 'file'],
    maxUploadBytes: SIGNAL_MAX_ATTACHMENT_BYTES,
  },
};

/** One message body as `send` takes it. */
export interface SignalTextChunk {
  text: string;
  /** `start:length:STYLE` entries for the `textStyle` param; empty for plain text. */
  styles: string[];
}

/**
 * Standard Markdown in, Signal message bodies out: core parses once, splits to 8000 UTF-16 units without
 * cutting a code block, and renders plain text; the styles come from the same chunk's Markdown.
 */
export function formatSignalText(
  text: string,
  format: 'markdown' | 'plain' = 'markdown',
  withStyles = true,
): SignalTextChunk[] {
  const chunks = prepareOutboundText(text, SIGNAL_CAPABILITIES, format);
  return chunks.map((chunk) => ({
    text: chunk.rendered,
    styles:
      withStyles && format === 'markdown'
        ? deriveSignalTextStyles(chunk.rendered, renderMarkdown(chunk.markdown, 'matrix-html'))
        : [],
  }));
}
