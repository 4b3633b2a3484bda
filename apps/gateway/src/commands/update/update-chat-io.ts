import type { ChatRef, MessageAction } from '@hermes/adapter-core';
import type { HostRuntime } from '../../host/runtime.js';
import type { UpdateChatIO } from '../update-command.js';

/** The update command's chat side on the host's deliverer and outbox (buttons as the approval prompt sends them). */
export function updateChatIO(
  rt: Pick<HostRuntime, 'adapterFor' | 'deliverer' | 'outbox' | 'logger'>,
): UpdateChatIO {
  const hasButtons = (platform: string) => {
    const adapter = rt.adapterFor(platform);
    return Boolean(adapter?.capabilities.buttons && adapter.settleActions);
  };
  return {
    hasButtons,
    async offer(chat: ChatRef, text: string, actions: MessageAction[], replyTo?: string) {
      const messages = await rt.deliverer.prepare(chat, text, replyTo ? { replyTo } : {});
      const last = messages.at(-1);
      if (!last) return undefined;
      if (hasButtons(chat.platform)) last.actions = actions;
      const report = await rt.deliverer.sendEntries(await rt.outbox.enqueue(chat, messages));
      return report.messageIds.at(-1);
    },
    async settle(chat, messageId, outcome) {
      const result = await rt.adapterFor(chat.platform)?.settleActions?.(chat, messageId, outcome);
      if (result && !result.ok)
        rt.logger.warn('buttons could not be settled', { platform: chat.platform, code: result.error.code });
    },
    async deliver(chat, text) {
      await rt.deliverer.deliverText(chat, text);
    },
  };
}
