import type { Capabilities } from '../contract.js';
import { splitMarkdown } from './split/split-markdown.js';
import type { MarkdownChunk } from './types.js';

/**
 * What an adapter's send() calls with the agent's Markdown: rendered to the platform's dialect (or to
 * plain text for the fallback after the platform rejected formatting) and split to its limit.
 */
export function prepareOutboundText(
  text: string,
  caps: Pick<Capabilities, 'maxMessageLength' | 'lengthUnit' | 'markdown'>,
  format: 'markdown' | 'plain' = 'markdown',
): MarkdownChunk[] {
  return splitMarkdown(text, {
    limit: caps.maxMessageLength,
    unit: caps.lengthUnit,
    dialect: format === 'plain' ? 'plain' : caps.markdown,
  });
}
