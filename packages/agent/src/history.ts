import type { ChatMessage } from './types.js';

/**
 * Drops what a provider would reject with a 400: tool results without their call, and assistant tool
 * calls whose results never arrived (a crash or kill in the middle of a turn leaves these behind).
 */
export function sanitizeHistory(history: readonly ChatMessage[]): ChatMessage[] {
  const answered = new Set<string>();
  for (const m of history) if (m.role === 'tool') answered.add(m.tool_call_id);

  const out: ChatMessage[] = [];
  const open = new Set<string>();
  for (const m of history) {
    if (m.role === 'assistant' && m.tool_calls?.length) {
      const kept = m.tool_calls.filter((c) => answered.has(c.id));
      for (const c of kept) open.add(c.id);
      if (kept.length) out.push({ ...m, tool_calls: kept });
      else if (m.content) out.push({ role: 'assistant', content: m.content });
      continue;
    }
    if (m.role === 'tool') {
      if (open.delete(m.tool_call_id)) out.push(m);
      continue;
    }
    out.push(m);
  }
  return out;
}

/** Rough token count (≈4 characters a token) for context-fill estimates when the provider gave none. */
export function estimateTokens(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) {
    chars += 4 + (m.content?.length ?? 0);
    if (m.role === 'assistant') {
      for (const c of m.tool_calls ?? []) chars += c.function.name.length + c.function.arguments.length;
    }
  }
  return Math.ceil(chars / 4);
}
