import type { InboundMessage } from '@hermes/adapter-core';
import { WEBHOOK_PLATFORM } from './config.js';
import type { WebhookDeliverTarget } from './deliver-target.js';
import type { ConcreteScheme } from './signatures/verify.js';

/** What `InboundMessage.raw` holds for a webhook event. */
export interface WebhookEventRaw {
  kind: 'webhook.event';
  route: string;
  event?: string;
  /** The sender's delivery id, when it sent one (the idempotency key). */
  deliveryId?: string;
  /** Where the host should deliver the agent's answer. */
  deliver: WebhookDeliverTarget;
  deliverExtra?: Record<string, unknown>;
  skills?: string[];
  toolsets?: string[];
  /** How the request was authenticated; `none` for an INSECURE_NO_AUTH route. */
  scheme: ConcreteScheme | 'none';
  /** The parsed payload, whole. */
  payload: unknown;
}

export interface WebhookEventInput {
  route: string;
  event: string | undefined;
  deliveryId: string | undefined;
  messageId: string;
  prompt: string;
  raw: Omit<WebhookEventRaw, 'kind' | 'route' | 'event' | 'deliveryId'>;
}

/**
 * One event, one session: the chat id is `<route>:<delivery id>` so each event runs in its own session
 * (`webhook:<route>:<delivery id>` in the original), and a redelivery would land in the same one.
 */
export function buildWebhookMessage(input: WebhookEventInput): InboundMessage {
  const raw: WebhookEventRaw = { kind: 'webhook.event', route: input.route, ...input.raw };
  if (input.event !== undefined) raw.event = input.event;
  if (input.deliveryId !== undefined) raw.deliveryId = input.deliveryId;
  return {
    id: input.messageId,
    chat: {
      platform: WEBHOOK_PLATFORM,
      chatId: `${input.route}:${input.messageId}`,
      chatType: 'dm',
      chatName: `webhook ${input.route}`,
    },
    sender: { id: `webhook:${input.route}`, name: input.route },
    text: input.prompt,
    mentionsBot: true,
    attachments: [],
    receivedAt: new Date(),
    raw,
  };
}
