import type { SendMessageCall, SendMessageResult } from '@hermes/agent';
import type { HostRuntime } from '../host/runtime.js';
import { type HomeChannels, targetChat } from './target-chat.js';

/** What sending to a target needs from the host. */
export type SendToTargetDeps = Pick<HostRuntime, 'adapterFor' | 'deliverer'> & HomeChannels;

/** The host side of the agent's `send_message` tool: resolve home channels, then deliver like any reply. */
export async function sendToTarget(
  rt: SendToTargetDeps,
  text: string,
  call: SendMessageCall,
): Promise<SendMessageResult> {
  const resolved = targetChat(call.target, rt, String(call.context.platform ?? '') || undefined);
  if (!resolved.ok)
    return { ok: false, detail: `${resolved.problem[0]!.toUpperCase()}${resolved.problem.slice(1)}.` };
  const { chat } = resolved;
  const platform = chat.platform;
  if (!rt.adapterFor(platform)) return { ok: false, detail: `${platform} is not connected to this gateway.` };
  const report = await rt.deliverer.deliverText(chat, text);
  return report.failed === 0
    ? { ok: true, detail: `${report.sent} message(s) delivered.` }
    : { ok: false, detail: 'Delivery failed; see the gateway log.' };
}
