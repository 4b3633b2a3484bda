import type { Attachment, InboundMessage, TurnLimits } from '@hermes/adapter-core';

interface StoredInbound {
  id: string;
  chat: InboundMessage['chat'];
  sender: InboundMessage['sender'];
  text: string;
  mentionsBot: boolean;
  replyTo?: InboundMessage['replyTo'];
  attachments: Array<Pick<Attachment, 'kind' | 'mime' | 'name' | 'size' | 'transcript'>>;
  receivedAt: string;
  deliverTo?: string;
  turnLimits?: TurnLimits;
  /** It came with a waiting client (request/reply); the client cannot survive a restart. */
  requestReply?: true;
}

/** A journalled message as replayed: the message, and whether a client was waiting on it. */
export interface ReplayedInbound {
  msg: InboundMessage;
  requestReply: boolean;
}

/** What the inbound journal keeps: everything but the raw payload and the (non-serialisable) fetchers. */
export function encodeInbound(msg: InboundMessage): string {
  const stored: StoredInbound = {
    id: msg.id,
    chat: msg.chat,
    sender: msg.sender,
    text: msg.text,
    mentionsBot: msg.mentionsBot,
    // The platform's own transcript of a voice message is the message: it must survive the journal.
    attachments: msg.attachments.map((a) => ({
      kind: a.kind,
      mime: a.mime,
      name: a.name,
      size: a.size,
      ...(a.transcript === undefined ? {} : { transcript: a.transcript }),
    })),
    receivedAt: msg.receivedAt.toISOString(),
  };
  if (msg.replyTo) stored.replyTo = msg.replyTo;
  if (msg.deliverTo !== undefined) stored.deliverTo = msg.deliverTo;
  if (msg.turnLimits !== undefined) stored.turnLimits = msg.turnLimits;
  if (msg.request !== undefined) stored.requestReply = true;
  return JSON.stringify(stored);
}

/**
 * A journalled message replayed after a crash. Its attachments can no longer be fetched from the platform
 * session that delivered them, so fetching one says so plainly instead of failing mysteriously.
 */
export function decodeInbound(payload: string): ReplayedInbound {
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
  if (s.deliverTo !== undefined) msg.deliverTo = s.deliverTo;
  if (s.turnLimits !== undefined) msg.turnLimits = s.turnLimits;
  return { msg, requestReply: s.requestReply === true };
}
