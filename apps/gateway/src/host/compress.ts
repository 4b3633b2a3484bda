import type { InboundMessage } from '@hermes/adapter-core';
import type { ChatMessage } from '@hermes/agent';
import type { HostRuntime } from './runtime.js';
import { historyFrom } from './turn-runner.js';

function storeHistory(rt: HostRuntime, sessionId: string, messages: ChatMessage[]): void {
  for (const m of messages) {
    if (m.role === 'assistant')
      rt.sessions.append(
        sessionId,
        'assistant',
        m.content,
        m.tool_calls ? { tool_calls: m.tool_calls } : undefined,
      );
    else if (m.role === 'tool')
      rt.sessions.append(sessionId, 'tool', m.content, { tool_call_id: m.tool_call_id });
    else rt.sessions.append(sessionId, m.role, m.content);
  }
}

/**
 * /compress: the agent summarises the older part of the conversation; the session continues as a new
 * session row holding the summary and the most recent turn, so the old transcript stays on record.
 */
export async function compressSession(
  rt: HostRuntime,
  sessionKey: string,
  msg: InboundMessage,
  focus: string,
): Promise<string> {
  const session = rt.sessions.active(sessionKey);
  if (!session) return 'Not enough conversation to compress.';
  const history = historyFrom(rt.sessions.transcript(session.id));
  const input: Parameters<HostRuntime['agent']['compress']>[0] = {
    history,
    signal: AbortSignal.timeout(300_000),
  };
  if (focus) input.focus = focus;
  const model = rt.kv.get<string>(`model:${sessionKey}`);
  if (model) input.model = model;
  const result = await rt.agent.compress(input);
  if (!result.ok)
    return result.code === 'not_enough'
      ? 'Not enough conversation to compress.'
      : `Compression failed: ${result.message}`;
  rt.sessions.end(session.id, 'compressed');
  const next = rt.sessions.create(sessionKey, msg.chat, msg.sender.id);
  storeHistory(rt, next.id, result.messages);
  rt.sessions.addUsage(next.id, result.usage);
  return `🗜️ Compressed: ${result.before.messages} → ${result.after.messages} messages, ~${result.before.tokens} → ~${result.after.tokens} tokens`;
}
