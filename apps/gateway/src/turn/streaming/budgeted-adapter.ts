import type { PlatformAdapter } from '@hermes/adapter-core';
import type { ChatBudget } from './chat-budget.js';

/**
 * The adapter as tool progress sees it: every send and edit first waits for the chat's budget, so
 * progress lines and the streamed reply share one rate instead of each assuming the whole of it.
 */
export function budgetedAdapter(adapter: PlatformAdapter, budget: ChatBudget): PlatformAdapter {
  const wrapped: PlatformAdapter = {
    platform: adapter.platform,
    capabilities: adapter.capabilities,
    start: (ctx) => adapter.start(ctx),
    stop: () => adapter.stop(),
    send: async (chat, message) => {
      await budget.take();
      return adapter.send(chat, message);
    },
  };
  const edit = adapter.edit?.bind(adapter);
  if (edit)
    wrapped.edit = async (chat, messageId, text) => {
      await budget.take();
      return edit(chat, messageId, text);
    };
  return wrapped;
}
