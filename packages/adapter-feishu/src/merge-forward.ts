import { parseFeishuContent } from './inbound-content.js';
import type { FeishuRestClient } from './rest-client.js';

const MAX_ITEMS = 50;

/**
 * A merge_forward carries no text of its own: its sub-messages come from im/v1/messages/{id}, and are
 * rendered as a transcript (one `sender: text` line each, media named by type).
 */
export async function renderMergeForward(rest: FeishuRestClient, messageId: string): Promise<string> {
  const items = (await rest.getMessageItems(messageId)).filter((i) => i.upper_message_id === messageId);
  const lines = items.slice(0, MAX_ITEMS).map((item) => {
    let content: Record<string, unknown> = {};
    try {
      content = JSON.parse(item.body?.content ?? '{}') as Record<string, unknown>;
    } catch {
      // rendered as its type below
    }
    const type = item.msg_type ?? 'unknown';
    const parsed = parseFeishuContent(type, content, [], {});
    const text = parsed?.text || `[${type}]`;
    return `${item.sender?.id ?? 'someone'}: ${text.replace(/\n/g, ' ')}`;
  });
  if (items.length > MAX_ITEMS) lines.push(`… ${items.length - MAX_ITEMS} more`);
  return ['[merged forward]', ...lines].join('\n');
}
