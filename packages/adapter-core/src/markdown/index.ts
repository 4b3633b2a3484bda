export { type MarkdownDocument, parseMarkdown } from './document.js';
export { escapeHtml, escapeSlackMrkdwn, escapeTelegramHtml } from './escape.js';
export { measureLength } from './length.js';
export { prepareOutboundText } from './prepare-outbound.js';
export { renderMarkdown } from './render.js';
export { splitMarkdown } from './split/split-markdown.js';
export type { MarkdownChunk, SplitMarkdownOptions } from './types.js';
