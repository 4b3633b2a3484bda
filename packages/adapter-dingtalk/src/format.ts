import { type Capabilities, type MarkdownChunk, prepareOutboundText } from '@hermes/adapter-core';
import {
  DINGTALK_CHAT_MESSAGES_PER_MINUTE,
  DINGTALK_MAX_MESSAGE_LENGTH,
  DINGTALK_MEDIA_MAX_BYTES,
} from './constants.js';

/**
 * What DingTalk supports. Robot messages are DingTalk Markdown (a CommonMark subset: headings, emphasis,
 * links, images, lists, quotes), 20,000 characters at most. Robots cannot edit, delete or type; reactions
 * are text emotions; files are uploaded and posted through the robot API (images inline, the rest as files). With an AI Card template replies stream natively
 * (`dingtalkCapabilities`).
 */
export const DINGTALK_CAPABILITIES: Capabilities = {
  maxMessageLength: DINGTALK_MAX_MESSAGE_LENGTH,
  lengthUnit: 'char',
  markdown: 'markdown',
  edit: false,
  delete: false,
  typing: false,
  reactions: true,
  threads: false,
  media: {
    send: ['image', 'file', 'audio', 'voice', 'video'],
    receive: ['image', 'voice', 'video', 'file'],
    maxUploadBytes: DINGTALK_MEDIA_MAX_BYTES,
  },
  chatRateLimit: { messages: DINGTALK_CHAT_MESSAGES_PER_MINUTE, perMs: 60_000 },
};

/**
 * Standard Markdown in, chunks split to DingTalk's limit out. Core parses once, splits before rendering and
 * never cuts inside a code fence: do not split or escape here.
 */
export function formatDingtalkText(text: string, format: 'markdown' | 'plain' = 'markdown'): MarkdownChunk[] {
  return prepareOutboundText(text, DINGTALK_CAPABILITIES, format);
}

/** The capabilities of one configured adapter: native streaming exactly when an AI Card template is set. */
export function dingtalkCapabilities(config: { cardTemplateId?: string | undefined }): Capabilities {
  return config.cardTemplateId ? { ...DINGTALK_CAPABILITIES, nativeStreaming: true } : DINGTALK_CAPABILITIES;
}
