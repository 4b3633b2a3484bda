import type { ChatRef, InboundMessage, PlatformAdapter } from '@hermes/adapter-core';
import type { ChatMessage } from '@hermes/agent';

/**
 * Request/response platforms (the OpenAI-compatible API server) answer one HTTP request with the first
 * `send()`. For them the host streams the reply through `edit()` of the request's reply message, reports
 * usage and tool progress through the adapter's own hooks, and never sends notices before the answer.
 * Detected structurally so the host does not import the adapter package.
 */
export interface RequestReply {
  replyMessageId: string;
  stream: boolean;
  /** The conversation as the client sent it: the API is stateless, so it wins over the stored transcript. */
  history: ChatMessage[];
  system: string[];
}

interface RawRequest {
  kind: 'api_server.chat_completion';
  replyMessageId: string;
  stream: boolean;
  history: Array<{ role: string; content: string; toolCallId?: string }>;
  system: string[];
}

function isRawRequest(raw: unknown): raw is RawRequest {
  return typeof raw === 'object' && raw !== null && (raw as { kind?: unknown }).kind === 'api_server.chat_completion';
}

export function requestReplyOf(msg: InboundMessage): RequestReply | undefined {
  if (!isRawRequest(msg.raw)) return undefined;
  const history: ChatMessage[] = [];
  for (const m of msg.raw.history) {
    if (m.role === 'user') history.push({ role: 'user', content: m.content });
    else if (m.role === 'assistant') history.push({ role: 'assistant', content: m.content });
  }
  return { replyMessageId: msg.raw.replyMessageId, stream: msg.raw.stream, history, system: msg.raw.system };
}

interface RequestReplyHooks {
  reportUsage?(chat: ChatRef, usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }): boolean;
  reportToolProgress?(chat: ChatRef, progress: { tool: string; label: string; phase?: 'start' | 'end' | 'update' }): boolean;
}

export function hooksOf(adapter: PlatformAdapter | undefined): RequestReplyHooks {
  return (adapter ?? {}) as RequestReplyHooks;
}
