/**
 * Builders for the bodies Meta POSTs to a WhatsApp webhook (`object: whatsapp_business_account`, one entry,
 * one `messages` change), shaped after the Cloud API webhook reference.
 */

export interface WebhookBusiness {
  /** The WhatsApp Business Account id (`entry[].id`). */
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
}

export interface WebhookContact {
  waId: string;
  name?: string;
}

let counter = 0;

/** A fresh message id in Meta's `wamid.` form. */
export function newWamid(): string {
  counter += 1;
  const random = Buffer.from(`${Date.now()}:${counter}:${Math.random()}`).toString('base64url');
  return `wamid.${random}`;
}

/** Unix seconds as a string, as Meta sends timestamps. */
export function webhookTimestamp(atMs = Date.now()): string {
  return String(Math.floor(atMs / 1000));
}

/** One `messages` change value wrapped in the envelope. */
export function whatsappWebhookBody(
  business: WebhookBusiness,
  value: { contacts?: WebhookContact[]; messages?: unknown[]; statuses?: unknown[] },
): Record<string, unknown> {
  const change: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: business.displayPhoneNumber, phone_number_id: business.phoneNumberId },
  };
  if (value.contacts) {
    change['contacts'] = value.contacts.map((c) => ({ profile: { name: c.name ?? c.waId }, wa_id: c.waId }));
  }
  if (value.messages) change['messages'] = value.messages;
  if (value.statuses) change['statuses'] = value.statuses;
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: business.wabaId, changes: [{ value: change, field: 'messages' }] }],
  };
}

export interface MessageBase {
  from: string;
  id?: string;
  /** Group id for a group message. */
  groupId?: string;
  /** The message this one quotes (a reply or a button press). */
  contextId?: string;
  atMs?: number;
}

/** A user message object (`messages[]` item) of `type` with its typed body. */
export function userMessage(
  base: MessageBase,
  type: string,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const message: Record<string, unknown> = {
    from: base.from,
    id: base.id ?? newWamid(),
    timestamp: webhookTimestamp(base.atMs),
    type,
    [type]: body,
  };
  if (base.groupId !== undefined) message['group_id'] = base.groupId;
  if (base.contextId !== undefined) message['context'] = { from: base.from, id: base.contextId };
  return message;
}

export function textMessage(base: MessageBase, text: string): Record<string, unknown> {
  return userMessage(base, 'text', { body: text });
}

/** A press on a reply button (`button_reply`) or a list row (`list_reply`) of the message `contextId`. */
export function interactiveReply(
  base: MessageBase & { contextId: string },
  reply: { kind: 'button_reply' | 'list_reply'; id: string; title: string },
): Record<string, unknown> {
  return userMessage(base, 'interactive', {
    type: reply.kind,
    [reply.kind]: { id: reply.id, title: reply.title },
  });
}

export function reactionMessage(
  base: MessageBase,
  messageId: string,
  emoji: string,
): Record<string, unknown> {
  return userMessage(base, 'reaction', { message_id: messageId, emoji });
}

export function locationMessage(
  base: MessageBase,
  place: { latitude: number; longitude: number; name?: string; address?: string },
): Record<string, unknown> {
  return userMessage(base, 'location', { ...place });
}

/** A delivery status of a message the business sent. */
export function statusUpdate(
  id: string,
  recipientId: string,
  status: 'sent' | 'delivered' | 'read' | 'failed',
  errors?: Array<{ code: number; title: string }>,
): Record<string, unknown> {
  return {
    id,
    status,
    timestamp: webhookTimestamp(),
    recipient_id: recipientId,
    ...(errors
      ? { errors: errors.map((e) => ({ ...e, message: e.title, error_data: { details: e.title } })) }
      : {}),
  };
}

/** The Graph error body Meta answers refusals with. */
export function graphErrorBody(code: number, message: string, details?: string): Record<string, unknown> {
  return {
    error: {
      message: `(#${code}) ${message}`,
      type: 'OAuthException',
      code,
      error_data: { messaging_product: 'whatsapp', details: details ?? message },
      fbtrace_id: `Fake${code}`,
    },
  };
}
