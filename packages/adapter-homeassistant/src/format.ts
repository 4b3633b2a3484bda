import type { Capabilities } from '@hermes/adapter-core';

/**
 * Replies become persistent notifications: plain text (the notification card renders Markdown, but
 * Home Assistant's companion apps show the raw text), no edits, no threads, no media. The tools are the
 * point of this platform.
 */
export const HOME_ASSISTANT_CAPABILITIES: Capabilities = {
  maxMessageLength: 4096,
  lengthUnit: 'char',
  markdown: 'plain',
  edit: false,
  delete: false,
  typing: false,
  reactions: false,
  threads: false,
  media: { send: [], receive: [] },
  agentTools: true,
};
