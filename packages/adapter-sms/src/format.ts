import { type Capabilities, type MarkdownChunk, prepareOutboundText } from '@hermes/adapter-core';

/**
 * What SMS over Twilio supports. Twilio takes a Body of at most 1,600 characters and counts them in
 * UTF-16 units (an emoji is two), so the split is in utf16. Phones render no Markdown: it is stripped.
 * MMS carries images, audio, video and files both ways, but outbound media needs a public URL (see
 * outbound-media.ts); without one the media is described in text instead.
 */
export const SMS_CAPABILITIES: Capabilities = {
  maxMessageLength: 1600,
  lengthUnit: 'utf16',
  markdown: 'plain',
  edit: false,
  delete: false,
  typing: false,
  reactions: false,
  threads: false,
  media: {
    send: ['image', 'audio', 'video', 'file'],
    receive: ['image', 'audio', 'video', 'file'],
    maxUploadBytes: 5 * 1024 * 1024,
  },
  // A long code sends about one message per second; Twilio queues the rest, but a chat should not flood a phone.
  chatRateLimit: { messages: 1, perMs: 1000 },
};

/**
 * Standard Markdown in, plain-text chunks within 1,600 UTF-16 units out. Core parses once and splits
 * before rendering: nothing is split or stripped by hand here.
 */
export function formatSmsText(text: string, format: 'markdown' | 'plain' = 'markdown'): MarkdownChunk[] {
  return prepareOutboundText(text, SMS_CAPABILITIES, format);
}
