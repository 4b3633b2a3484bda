import {
  type ChatRef,
  type InboundMessage,
  type PlatformKind,
  parseMessageTarget,
  type RequestFailure,
  type RequestFailureCode,
  type TurnLimits,
} from '@hermes/adapter-core';
import type { AgentErrorCode, ChatMessage } from '@hermes/agent';
import { type HomeChannels, targetChat } from '../outbound/target-chat.js';
import { CLARIFY_TOOLSET } from './clarify-questions.js';

/** The client's conversation in the agent's message shape (the API is stateless: it wins over the transcript). */
export function requestHistory(msg: InboundMessage): ChatMessage[] | undefined {
  const request = msg.request;
  if (!request || request.history.length === 0) return undefined;
  return request.history.map((m) =>
    m.role === 'user' ? { role: 'user', content: m.content } : { role: 'assistant', content: m.content },
  );
}

const FAILURE_OF: Record<AgentErrorCode, RequestFailureCode> = {
  auth_failed: 'model_auth_failed',
  model_not_found: 'model_not_found',
  rate_limited: 'rate_limited',
  context_too_long: 'context_too_long',
  network: 'model_unavailable',
  timeout: 'model_timeout',
  overloaded: 'model_unavailable',
  server_error: 'model_unavailable',
  bad_request: 'bad_request',
  bad_response: 'model_unavailable',
  unknown: 'internal_error',
};

/** A model failure as the waiting client should see it: an error, never an answer that hides one. */
export function requestFailureOf(error: {
  code: AgentErrorCode;
  message: string;
  retryAfterMs?: number;
}): RequestFailure {
  const failure: RequestFailure = { code: FAILURE_OF[error.code], message: error.message };
  if (error.retryAfterMs !== undefined) failure.retryAfterMs = error.retryAfterMs;
  return failure;
}

/**
 * What a turn may use when the platform said nothing: events (webhook payloads, written by whoever can
 * reach the route) never get a shell unless the route names the `terminal` toolset.
 */
export function turnLimitsFor(msg: InboundMessage, kind: PlatformKind): TurnLimits | undefined {
  const limits = msg.turnLimits ?? (kind === 'events' ? { withoutToolsets: ['terminal'] } : undefined);
  if (kind === 'chat') return limits;
  // Nobody in a chat waits for a question: a request/reply client or an event's sender cannot answer one.
  return { ...limits, withoutToolsets: [...(limits?.withoutToolsets ?? []), CLARIFY_TOOLSET] };
}

/**
 * Where the answer to an event goes when the event's platform is not the place to answer (a webhook route
 * with `deliver: telegram:<chat>`): the target chat, or undefined to answer where the message came from.
 * A platform without a chat id means that platform's home channel.
 */
export function deliveryChatOf(msg: InboundMessage, homes: HomeChannels): ChatRef | undefined {
  if (!msg.deliverTo) return undefined;
  const parsed = parseMessageTarget(msg.deliverTo);
  if (!parsed.ok || parsed.target.kind !== 'platform') return undefined;
  const resolved = targetChat(parsed.target, homes);
  return resolved.ok ? resolved.chat : undefined;
}
