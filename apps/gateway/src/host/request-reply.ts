import type { ChatRef, InboundMessage, PlatformAdapter } from '@hermes/adapter-core';
import { type ChatMessage, parseMessageTarget } from '@hermes/agent';

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
  return (
    typeof raw === 'object' &&
    raw !== null &&
    (raw as { kind?: unknown }).kind === 'api_server.chat_completion'
  );
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
  reportUsage?(
    chat: ChatRef,
    usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number },
  ): boolean;
  reportToolProgress?(
    chat: ChatRef,
    progress: { tool: string; label: string; phase?: 'start' | 'end' | 'update' },
  ): boolean;
}

export function hooksOf(adapter: PlatformAdapter | undefined): RequestReplyHooks {
  return (adapter ?? {}) as RequestReplyHooks;
}

/**
 * Where the answer to an event goes when the event's platform is not the place to answer (a webhook route
 * with `deliver: telegram:<chat>`): the target chat, or undefined to answer where the message came from.
 * A platform without a chat id means that platform's home channel.
 */
export function deliveryChatOf(
  msg: InboundMessage,
  env: Record<string, string | undefined>,
): ChatRef | undefined {
  const deliver = (msg.raw as { deliver?: { kind?: string; target?: string; platform?: string } } | null)
    ?.deliver;
  if (deliver?.kind !== 'platform' || !deliver.target) return undefined;
  const parsed = parseMessageTarget(deliver.target);
  if (!parsed.ok || parsed.target.kind !== 'platform') return undefined;
  const { platform, chatId, threadId } = parsed.target;
  const chat = chatId ?? env[`${platform.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_HOME_CHANNEL`];
  if (!chat) return undefined;
  const ref: ChatRef = { platform, chatId: chat, chatType: 'group' };
  if (threadId) ref.threadId = threadId;
  return ref;
}
