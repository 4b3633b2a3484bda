import type { InboundMessage, RequestExchange, RequestHistoryEntry, TurnLimits } from '@hermes/adapter-core';
import { API_SERVER_PLATFORM, type ApiServerConfig } from '../config.js';
import type { ApiServerChatMessage, ApiServerRequestOptions, ParsedChatRequest } from './chat-request.js';
import type { ApiSession } from './session.js';

/**
 * What `InboundMessage.raw` holds for a chat completion request, for an adapter user's logs and debugging.
 * The host reads the typed `request` and `turnLimits` instead; everything it needs is there.
 */
export interface ApiServerRequestRaw {
  kind: 'api_server.chat_completion';
  /** The message id of the reply: `edit(chat, replyMessageId, textSoFar)` streams into it. */
  replyMessageId: string;
  stream: boolean;
  /** The model the client asked for (informational; the host picks the real model). */
  requestedModel?: string;
  sessionId: string;
  sessionSource: ApiSession['source'];
  /** `X-Hermes-Session-Key`: a client identity the host may map to its own session key. */
  sessionKey?: string;
  /** `system`/`developer` messages: layered on top of the host's own system prompt. */
  system: string[];
  /** The conversation before this turn as the client sent it, tool messages included. */
  history: ApiServerChatMessage[];
  /** The sampling options the client sent (temperature, max_tokens, top_p, stop, ...). */
  options: ApiServerRequestOptions;
  /** Some message carried images or other non-text parts, which this adapter does not forward. */
  droppedNonText: boolean;
  /** The same signal as `InboundMessage.request.signal`. */
  signal: AbortSignal;
}

export interface InboundContext {
  replyMessageId: string;
  signal: AbortSignal;
  /** Limits every turn of this server carries (the keyless terminal ban); undefined for none. */
  turnLimits: TurnLimits | undefined;
}

/**
 * Without a key the server cannot tell who is asking: any local process, or a page that got a request
 * through, would get a shell. So keyless turns run without the terminal unless the operator opts in.
 */
export function serverTurnLimits(
  config: Pick<ApiServerConfig, 'key' | 'allowTerminalWithoutKey'>,
): TurnLimits | undefined {
  if (config.key !== undefined || config.allowTerminalWithoutKey) return undefined;
  return { withoutToolsets: ['terminal'] };
}

/**
 * The conversation in the contract's shape: user and assistant text only. Tool calls and results of an
 * earlier client-side agent have no place in it, and an assistant turn that was only tool calls has no text.
 */
function exchangeHistory(history: readonly ApiServerChatMessage[]): RequestHistoryEntry[] {
  const entries: RequestHistoryEntry[] = [];
  for (const m of history) {
    if ((m.role === 'user' || m.role === 'assistant') && m.content.trim() !== '') {
      entries.push({ role: m.role, content: m.content });
    }
  }
  return entries;
}

export function buildInboundMessage(
  request: ParsedChatRequest,
  session: ApiSession,
  context: InboundContext,
): InboundMessage {
  const { replyMessageId, signal } = context;
  const exchange: RequestExchange = {
    replyMessageId,
    stream: request.stream,
    history: exchangeHistory(request.history),
    system: request.system.filter((s) => s.trim() !== ''),
    signal,
  };
  const raw: ApiServerRequestRaw = {
    kind: 'api_server.chat_completion',
    replyMessageId,
    stream: request.stream,
    sessionId: session.sessionId,
    sessionSource: session.source,
    system: request.system,
    history: request.history,
    options: request.options,
    droppedNonText: request.droppedNonText,
    signal,
  };
  if (request.model !== undefined) raw.requestedModel = request.model;
  if (session.sessionKey !== undefined) raw.sessionKey = session.sessionKey;
  const message: InboundMessage = {
    id: replyMessageId,
    chat: {
      platform: API_SERVER_PLATFORM,
      chatId: session.sessionId,
      chatType: 'dm',
      chatName: 'API session',
    },
    // Whoever holds the API key is the user; the session key, when given, tells clients apart.
    sender: { id: session.sessionKey ?? 'api-client', name: 'API client' },
    text: request.text,
    mentionsBot: true,
    attachments: [],
    receivedAt: new Date(),
    request: exchange,
    raw,
  };
  if (context.turnLimits !== undefined) message.turnLimits = context.turnLimits;
  return message;
}
