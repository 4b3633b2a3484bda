import { type Capabilities, type ChatRef, TokenBucket } from '@hermes/adapter-core';

/** What a platform tolerates when it does not say: one send or edit per second per chat. */
const DEFAULT_RATE = { messages: 1, perMs: 1000 };

/**
 * One chat's budget, shared by stream edits, tool progress and final sends: core's token bucket. Stream
 * edits use `tryTake` (skipped and coalesced, and never ahead of a waiting progress write), tool progress
 * `take` (queued), finals `spend` (never wait; the debt slows later edits), a 429 `pauseFor`.
 */
export type ChatBudget = TokenBucket;

export function chatBudget(rate: { messages: number; perMs: number }, now?: () => number): ChatBudget {
  const { messages, perMs } = rate.messages > 0 && rate.perMs > 0 ? rate : DEFAULT_RATE;
  return new TokenBucket({
    capacity: Math.max(1, messages),
    refillPerSecond: (messages * 1000) / perMs,
    ...(now ? { now } : {}),
  });
}

/** One budget per platform+chat, for the whole host. */
export class ChatBudgets {
  private readonly budgets = new Map<string, ChatBudget>();

  for(chat: ChatRef, caps: Pick<Capabilities, 'chatRateLimit'>): ChatBudget {
    const key = `${chat.platform}\u0000${chat.chatId}`;
    let budget = this.budgets.get(key);
    if (!budget) {
      budget = chatBudget(caps.chatRateLimit ?? DEFAULT_RATE);
      this.budgets.set(key, budget);
    }
    return budget;
  }
}
