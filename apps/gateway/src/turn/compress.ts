import type { InboundMessage } from '@hermes/adapter-core';
import type { HostRuntime } from '../host/runtime.js';
import { historyFrom, storeMessages } from './turn-runner.js';

/** What compressing a session needs from the host. */
export type CompressDeps = Pick<HostRuntime, 'agent' | 'kv' | 'sessions'>;

/**
 * /compress: the agent summarises the older part of the conversation; the session continues as a new
 * session row holding the summary and the most recent turn, so the old transcript stays on record.
 */
export async function compressSession(
  rt: CompressDeps,
  sessionKey: string,
  msg: InboundMessage,
  focus: string,
): Promise<string> {
  const session = await rt.sessions.active(sessionKey);
  if (!session) return 'Not enough conversation to compress.';
  const history = historyFrom(await rt.sessions.transcript(session.id));
  const input: Parameters<HostRuntime['agent']['compress']>[0] = {
    history,
    signal: AbortSignal.timeout(300_000),
  };
  if (focus) input.focus = focus;
  const model = await rt.kv.get<string>(`model:${sessionKey}`);
  if (model) input.model = model;
  const result = await rt.agent.compress(input);
  if (!result.ok)
    return result.code === 'not_enough'
      ? 'Not enough conversation to compress.'
      : `Compression failed: ${result.message}`;
  await rt.sessions.end(session.id, 'compressed');
  const next = await rt.sessions.create(sessionKey, msg.chat, msg.sender.id);
  await storeMessages(rt, next.id, result.messages);
  await rt.sessions.addUsage(next.id, result.usage);
  return `🗜️ Compressed: ${result.before.messages} → ${result.after.messages} messages, ~${result.before.tokens} → ~${result.after.tokens} tokens`;
}
