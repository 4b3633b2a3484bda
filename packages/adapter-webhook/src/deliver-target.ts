import { parseMessageTarget } from '@hermes/adapter-core';

/**
 * Where the host should deliver the agent's answer to a webhook event. The adapter does not deliver
 * anywhere itself (an adapter never talks to another platform); it names the target and the host routes.
 */
export type WebhookDeliverTarget =
  | { kind: 'log' }
  | {
      kind: 'platform';
      /** The target in its normal form, e.g. `telegram:-100123:42`: what `InboundMessage.deliverTo` carries. */
      target: string;
      platform: string;
      /** Absent means the platform's home channel. */
      chatId?: string;
      threadId?: string;
    };

export type ParsedDeliverTarget = { ok: true; target: WebhookDeliverTarget } | { ok: false; problem: string };

/** A route's `deliver`: `log` (the default), or a target read by core's one target parser. */
export function parseDeliverTarget(deliver: string | undefined): ParsedDeliverTarget {
  const value = (deliver ?? '').trim();
  if (value === '' || value === 'log') return { ok: true, target: { kind: 'log' } };
  const parsed = parseMessageTarget(value);
  if (!parsed.ok) return { ok: false, problem: parsed.error };
  // `home` means the conversation's own platform; a webhook event has none to answer on.
  if (parsed.target.kind !== 'platform')
    return {
      ok: false,
      problem: '"home" has no platform for a webhook; name one, e.g. telegram or telegram:<chat_id>.',
    };
  const { platform, chatId, threadId } = parsed.target;
  const target: WebhookDeliverTarget = { kind: 'platform', target: parsed.normalized, platform };
  if (chatId !== undefined) target.chatId = chatId;
  if (threadId !== undefined) target.threadId = threadId;
  return { ok: true, target };
}
