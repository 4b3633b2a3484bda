import type { InboundMessage } from '../contract.js';
import { AdapterError } from '../errors.js';

/**
 * One message out of a text batch: texts joined with a newline (empty ones skipped, so a caption-less
 * photo adds no blank line), attachments in arrival order, id and chat of the first piece, the first
 * reply reference found, `raw` = every piece's raw payload and `parts` = the pieces themselves (so the host can
 * recognise each one again). A single message is returned unchanged.
 */
export function mergeInboundBatch(items: InboundMessage[]): InboundMessage {
  const first = items[0];
  if (first === undefined) {
    throw new AdapterError('bad_request', 'mergeInboundBatch needs at least one message');
  }
  if (items.length === 1) return first;
  const merged: InboundMessage = {
    id: first.id,
    chat: first.chat,
    sender: first.sender,
    text: items
      .map((m) => m.text)
      .filter((t) => t.length > 0)
      .join('\n'),
    mentionsBot: items.some((m) => m.mentionsBot),
    attachments: items.flatMap((m) => m.attachments),
    receivedAt: first.receivedAt,
    raw: items.map((m) => m.raw),
    parts: items.flatMap((m) => m.parts ?? [m]),
  };
  const replyTo = items.find((m) => m.replyTo !== undefined)?.replyTo;
  if (replyTo !== undefined) merged.replyTo = replyTo;
  return merged;
}
