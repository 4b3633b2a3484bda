import type { ChatRef } from '@hermes/adapter-core';
import type { SendMessageCall, SendMessageResult } from '@hermes/agent';
import { envPrefix } from '../access/authorize.js';
import type { HostRuntime } from './runtime.js';

/** The host side of the agent's `send_message` tool: resolve home channels, then deliver like any reply. */
export async function sendToTarget(
  rt: HostRuntime,
  text: string,
  call: SendMessageCall,
): Promise<SendMessageResult> {
  const origin = String(call.context.platform ?? '');
  const target = call.target;
  const platform = target.kind === 'home' ? origin : target.platform;
  if (!platform)
    return {
      ok: false,
      detail:
        'This conversation has no platform to resolve "home" against; name one, e.g. telegram:<chat_id>.',
    };
  const chatId =
    target.kind === 'platform' && target.chatId
      ? target.chatId
      : rt.env[`${envPrefix(platform)}_HOME_CHANNEL`];
  if (!chatId)
    return {
      ok: false,
      detail: `No home channel is set for ${platform}. Run /sethome in the chat that should receive messages.`,
    };
  if (!rt.adapterFor(platform)) return { ok: false, detail: `${platform} is not connected to this gateway.` };
  const chat: ChatRef = { platform, chatId, chatType: 'group' };
  if (target.kind === 'platform' && target.threadId) chat.threadId = target.threadId;
  const report = await rt.deliverer.deliverText(chat, text);
  return report.failed === 0
    ? { ok: true, detail: `${report.sent} message(s) delivered.` }
    : { ok: false, detail: 'Delivery failed; see the gateway log.' };
}
