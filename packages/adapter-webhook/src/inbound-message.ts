import type { InboundMessage, TurnLimits } from '@hermes/adapter-core';
import { WEBHOOK_PLATFORM } from './config.js';
import type { WebhookDeliverTarget } from './deliver-target.js';
import type { ConcreteScheme } from './signatures/verify.js';

/**
 * What `InboundMessage.raw` holds for a webhook event, for the adapter's own users (logging, debugging).
 * The host reads none of it: the target is `InboundMessage.deliverTo`, the route's limits are
 * `InboundMessage.turnLimits`.
 */
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
  /** The route's delivery target; `platform` targets become `InboundMessage.deliverTo`. */
  deliver: WebhookDeliverTarget;
  /** The route's `toolsets` and `skills`, when it configures them. */
  toolsets?: readonly string[];
  skills?: readonly string[];
  raw: Omit<WebhookEventRaw, 'kind' | 'route' | 'event' | 'deliveryId'>;
}

/** `<platform>:<chat>[:<thread>]`, or the bare platform for its home channel; undefined for `log`. */
export function deliverToOf(target: WebhookDeliverTarget): string | undefined {
  return target.kind === 'log' ? undefined : target.target;
}

/**
 * The route's limits on the turn. Absent when the route sets neither, so the host applies its default
 * for event platforms (which leaves out the terminal) rather than an empty allowlist.
 */
function turnLimitsOf(input: WebhookEventInput): TurnLimits | undefined {
  if (input.toolsets === undefined && input.skills === undefined) return undefined;
  const limits: TurnLimits = {};
  if (input.toolsets !== undefined) limits.toolsets = [...input.toolsets];
  if (input.skills !== undefined) limits.skills = [...input.skills];
  return limits;
}

/**
 * One event, one session: the chat id is `<route>:<delivery id>` so each event runs in its own session
 * (`webhook:<route>:<delivery id>` in the original), and a redelivery would land in the same one.
 */
export function buildWebhookMessage(input: WebhookEventInput): InboundMessage {
  const raw: WebhookEventRaw = { kind: 'webhook.event', route: input.route, ...input.raw };
  if (input.event !== undefined) raw.event = input.event;
  if (input.deliveryId !== undefined) raw.deliveryId = input.deliveryId;
  const deliverTo = deliverToOf(input.deliver);
  const turnLimits = turnLimitsOf(input);
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
    ...(deliverTo === undefined ? {} : { deliverTo }),
    ...(turnLimits === undefined ? {} : { turnLimits }),
    raw,
  };
}
