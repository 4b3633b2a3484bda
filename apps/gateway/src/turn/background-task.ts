import { randomBytes } from 'node:crypto';
import type { ChatRef } from '@hermes/adapter-core';
import type { HostRuntime } from '../host/runtime.js';

/** What `/background` needs from the host. */
export type BackgroundDeps = Pick<HostRuntime, 'agent' | 'approvals' | 'deliverer' | 'logger'>;

/**
 * `/background <prompt>`: a turn outside the chat's session (its own key, no history) whose result is
 * posted to the chat when done. The returned promise settles when the task has reported.
 */
export function startBackgroundTask(
  rt: BackgroundDeps,
  chat: ChatRef,
  sessionKey: string,
  prompt: string,
): { id: string; done: Promise<void> } {
  const id = backgroundTaskId(new Date());
  const done = (async () => {
    let text = '';
    let error = '';
    for await (const ev of rt.agent.runTurn({
      sessionKey: `${sessionKey}:${id}`,
      history: [],
      userText: prompt,
      signal: new AbortController().signal,
      approvals: rt.approvals,
    })) {
      if (ev.type === 'done') text = ev.text;
      if (ev.type === 'error') error = ev.message;
    }
    const body = error
      ? `❌ Background task ${id} failed: ${error}`
      : `✅ Background task complete\nPrompt: "${prompt.slice(0, 60)}"\n\n${text || '(No response generated)'}`;
    await rt.deliverer.deliverText(chat, body);
  })().catch((err: unknown) =>
    rt.logger.error('background task failed', { id, error: (err as Error).message }),
  );
  return { id, done };
}

/** `bg_HHMMSS_xxxxxx`, as the Python gateway names them. */
function backgroundTaskId(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `bg_${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}_${randomBytes(3).toString('hex')}`;
}
