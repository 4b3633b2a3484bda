import {
  type Capabilities,
  type MarkdownChunk,
  type MessageAction,
  prepareOutboundText,
} from '@hermes/adapter-core';
import {
  FEISHU_FILE_MAX_BYTES,
  FEISHU_IDEMPOTENT_SEND_WINDOW_MS,
  FEISHU_MAX_MESSAGE_LENGTH,
} from './constants.js';

/**
 * What Feishu supports. `markdown: 'markdown'`: a post's `md` element renders standard Markdown, so the
 * host's Markdown goes through unchanged. Reactions follow FEISHU_REACTIONS (see feishuCapabilities).
 */
export const FEISHU_CAPABILITIES: Capabilities = {
  maxMessageLength: FEISHU_MAX_MESSAGE_LENGTH,
  lengthUnit: 'char',
  markdown: 'markdown',
  edit: true,
  delete: false,
  typing: true,
  reactions: true,
  threads: true,
  buttons: true,
  media: {
    send: ['image', 'file', 'audio', 'voice', 'video'],
    receive: ['image', 'file', 'voice', 'video'],
    maxUploadBytes: FEISHU_FILE_MAX_BYTES,
  },
  // Feishu allows 5 messages per second to one chat (shared by every bot in a group).
  chatRateLimit: { messages: 5, perMs: 1000 },
  // Every message a send creates carries a uuid derived from OutboundMessage.idempotencyKey; Feishu keeps
  // a uuid for 1 hour, the host is promised 50 min (see FEISHU_IDEMPOTENT_SEND_WINDOW_MS for the margin).
  idempotentSend: { windowMs: FEISHU_IDEMPOTENT_SEND_WINDOW_MS },
};

/** Typing is shown as a reaction, so both follow FEISHU_REACTIONS. */
export function feishuCapabilities(o: { reactions: boolean }): Capabilities {
  return { ...FEISHU_CAPABILITIES, reactions: o.reactions, typing: o.reactions };
}

/** Standard Markdown in, chunks within the limit out (core never cuts inside a code fence). */
export function formatFeishuText(text: string, format: 'markdown' | 'plain' = 'markdown'): MarkdownChunk[] {
  return prepareOutboundText(text, FEISHU_CAPABILITIES, format);
}

/** Markdown syntax worth a post: emphasis, code, links, headings, lists, quotes, tables. */
const MARKDOWN_HINT =
  /(\*\*|__|~~|`|\[[^\]]*\]\([^)]*\)|^#{1,6}\s|^\s*[-*+]\s|^\s*\d+\.\s|^>\s?|^\|.*\|\s*$)/m;

export interface FeishuBody {
  msgType: string;
  content: string;
}

/** A post with one `md` element: Feishu renders its standard Markdown. */
export function feishuPostBody(text: string): FeishuBody {
  return {
    msgType: 'post',
    content: JSON.stringify({ zh_cn: { title: '', content: [[{ tag: 'md', text }]] } }),
  };
}

/** A chunk as Feishu wants it: `text` for plain words, a `post` with one `md` element for Markdown. */
export function feishuTextBody(text: string, format: 'markdown' | 'plain' = 'markdown'): FeishuBody {
  if (format === 'plain' || !MARKDOWN_HINT.test(text))
    return { msgType: 'text', content: JSON.stringify({ text }) };
  return feishuPostBody(text);
}

/** The key of a button's value that carries `MessageAction.id`. */
export const FEISHU_ACTION_KEY = 'hermes_action';

/** A card with the text and, unless settled, one button per action. */
export function feishuCardBody(
  text: string,
  actions: readonly MessageAction[],
  outcome?: string,
): FeishuBody {
  const elements: unknown[] = [{ tag: 'markdown', content: text }];
  if (outcome !== undefined) {
    elements.push({ tag: 'hr' }, { tag: 'markdown', content: outcome });
  } else if (actions.length > 0) {
    elements.push({
      tag: 'action',
      actions: actions.map((a) => ({
        tag: 'button',
        text: { tag: 'plain_text', content: a.label },
        type: a.style === 'danger' ? 'danger' : a.style === 'primary' ? 'primary' : 'default',
        value: { [FEISHU_ACTION_KEY]: a.id },
      })),
    });
  }
  return {
    msgType: 'interactive',
    content: JSON.stringify({ config: { wide_screen_mode: true, update_multi: true }, elements }),
  };
}
