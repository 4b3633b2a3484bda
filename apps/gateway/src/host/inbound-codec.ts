import type { Attachment, InboundMessage } from '@hermes/adapter-core';

interface StoredInbound {
  id: string;
  chat: InboundMessage['chat'];
  sender: InboundMessage['sender'];
  text: string;
  mentionsBot: boolean;
  replyTo?: InboundMessage['replyTo'];
  attachments: Array<Pick<Attachment, 'kind' | 'mime' | 'name' | 'size'>>;
  receivedAt: string;
}

/** What the inbound journal keeps: everything but the raw payload and the (non-serialisable) fetchers. */
export function encodeInbound(msg: InboundMessage): string {
  const stored: StoredInbound = {
    id: msg.id,
    chat: msg.chat,
    sender: msg.sender,
    text: msg.text,
    mentionsBot: msg.mentionsBot,
    attachments: msg.attachments.map((a) => ({ kind: a.kind, mime: a.mime, name: a.name, size: a.size })),
    receivedAt: msg.receivedAt.toISOString(),
  };
  if (msg.replyTo) stored.replyTo = msg.replyTo;
  return JSON.stringify(stored);
}

/**
 * A journalled message replayed after a crash. Its attachments can no longer be fetched from the platform
 * session that delivered them, so fetching one says so plainly instead of failing mysteriously.
 */
export function decodeInbound(payload: string): InboundMessage {
  const s = JSON.parse(payload) as StoredInbound;
  const msg: InboundMessage = {
    id: s.id,
    chat: s.chat,
    sender: s.sender,
    text: s.text,
    mentionsBot: s.mentionsBot,
    attachments: s.attachments.map((a) => ({
      ...a,
      fetch: () =>
        Promise.reject(
          new Error('attachment not available after a gateway restart; ask the user to send it again'),
        ),
    })),
    receivedAt: new Date(s.receivedAt),
    raw: { replayed: true },
  };
  if (s.replyTo) msg.replyTo = s.replyTo;
  return msg;
}
