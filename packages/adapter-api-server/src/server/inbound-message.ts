import type { InboundMessage } from '@hermes/adapter-core';
import { API_SERVER_PLATFORM } from '../config.js';
import type { ApiServerChatMessage, ParsedChatRequest } from './chat-request.js';
import type { ApiSession } from './session.js';

/**
 * What `InboundMessage.raw` holds for a chat completion request: everything the host needs beyond the
 * prompt text, and the live abort signal of the HTTP request.
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
  /** The conversation before this turn, as the client sent it (the API is stateless). */
  history: ApiServerChatMessage[];
  /** Other request fields (temperature, max_tokens, tools, ...). */
  options: Record<string, unknown>;
  /** Some message carried images or other non-text parts, which this adapter does not forward. */
  droppedNonText: boolean;
  /** Aborted when the client disconnects, the run times out or the server stops. Its reason says which. */
  signal: AbortSignal;
}

export function buildInboundMessage(
  request: ParsedChatRequest,
  session: ApiSession,
  replyMessageId: string,
  signal: AbortSignal,
): InboundMessage {
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
  return {
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
    raw,
  };
}
