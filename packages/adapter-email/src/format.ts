import { type Capabilities, type MarkdownChunk, prepareOutboundText } from '@hermes/adapter-core';
import { Marked } from 'marked';

const ALL_KINDS = ['image', 'audio', 'voice', 'video', 'file'] as const;

/**
 * What email supports. No edits, deletes, typing or reactions: a sent mail is final. Threads are not a
 * separate chat (a reply threads by its headers), so `threads` is false. 50,000 characters per mail, as the
 * Python gateway; longer replies go out as several mails in one thread.
 */
export const EMAIL_CAPABILITIES: Capabilities = {
  maxMessageLength: 50_000,
  lengthUnit: 'char',
  // The adapter renders Markdown itself (HTML part) and keeps the Markdown source as the text part.
  markdown: 'markdown',
  edit: false,
  delete: false,
  typing: false,
  reactions: false,
  threads: false,
  media: { send: [...ALL_KINDS], receive: [...ALL_KINDS], maxUploadBytes: 25 * 1024 * 1024 },
  // Each send is a whole mail in someone's inbox: the host should not stream progress as mail.
  chatRateLimit: { messages: 6, perMs: 60_000 },
};

/**
 * Standard Markdown in, chunks split to the mail limit out. Core splits before rendering and never cuts
 * inside a code fence.
 */
export function formatEmailText(text: string, format: 'markdown' | 'plain' = 'markdown'): MarkdownChunk[] {
  return prepareOutboundText(text, EMAIL_CAPABILITIES, format);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// Its own instance, so the options never leak into another user of `marked` in the same process. Raw
// HTML in the agent's Markdown is shown as text: a model's output is not trusted markup.
const markdownToHtml = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html(token) {
      return escapeHtml(token.text);
    },
  },
});

/** The HTML part of a reply: the Markdown rendered, in a minimal document mail clients display well. */
export function renderEmailHtml(markdown: string): string {
  const body = markdownToHtml.parse(markdown, { async: false });
  return `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${body}</body></html>`;
}
