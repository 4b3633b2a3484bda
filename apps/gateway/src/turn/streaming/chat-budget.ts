import type { Capabilities, ChatRef } from '@hermes/adapter-core';

/** What a platform tolerates when it does not say: one send or edit per second per chat. */
const DEFAULT_RATE = { messages: 1, perMs: 1000 };

/**
 * A token bucket for one chat, shared by stream edits, tool progress and final sends. Finals take a token
 * without waiting (going into debt slows later edits instead); stream edits only go when a token is free,
 * so they are skipped and coalesced rather than queued.
 */
export class ChatBudget {
  private tokens: number;
  private refilledAt: number;
  private blockedUntil = 0;
  /** Tool progress writes waiting for a token: they go before any stream edit. */
  private waiting = 0;

  constructor(
    private readonly rate: { messages: number; perMs: number },
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = rate.messages;
    this.refilledAt = now();
  }

  private refill(): void {
    const t = this.now();
    const gained = ((t - this.refilledAt) * this.rate.messages) / this.rate.perMs;
    this.tokens = Math.min(this.rate.messages, this.tokens + gained);
    this.refilledAt = t;
  }

  /** A stream edit: true (and a token spent) only when one is free now. */
  tryTake(): boolean {
    this.refill();
    if (this.waiting > 0) return false;
    return this.spend();
  }

  private spend(): boolean {
    if (this.now() < this.blockedUntil || this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until tryTake can succeed. */
  msUntilFree(): number {
    this.refill();
    const perToken = this.rate.perMs / this.rate.messages;
    const forToken = this.tokens >= 1 ? 0 : Math.ceil((1 - this.tokens) * perToken);
    return Math.max(forToken, this.blockedUntil - this.now(), 0);
  }

  /** A final send: never waits, spends a token (possibly into debt). */
  takeFinal(count = 1): void {
    this.refill();
    this.tokens -= count;
  }

  /** Tool progress: waits its turn (bounded by the rate), then spends a token. */
  async take(): Promise<void> {
    this.waiting++;
    try {
      for (;;) {
        const wait = this.msUntilFree();
        if (wait === 0 && this.spend()) return;
        await new Promise((r) => setTimeout(r, Math.max(wait, 10)));
      }
    } finally {
      this.waiting--;
    }
  }

  /** The platform answered 429: nothing optional goes out before it said to retry. */
  blockFor(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
  }
}

/** One budget per platform+chat, for the whole process. */
export class ChatBudgets {
  private readonly budgets = new Map<string, ChatBudget>();

  for(chat: ChatRef, caps: Pick<Capabilities, 'chatRateLimit'>): ChatBudget {
    const key = `${chat.platform}\u0000${chat.chatId}`;
    let budget = this.budgets.get(key);
    if (!budget) {
      const rate = caps.chatRateLimit ?? DEFAULT_RATE;
      budget = new ChatBudget(rate.messages > 0 && rate.perMs > 0 ? rate : DEFAULT_RATE);
      this.budgets.set(key, budget);
    }
    return budget;
  }
}

const perHost = new WeakMap<object, ChatBudgets>();

/** The budgets of one host: every turn of the process shares them, two hosts (tests) never do. */
export function budgetsOf(host: object): ChatBudgets {
  let budgets = perHost.get(host);
  if (!budgets) {
    budgets = new ChatBudgets();
    perHost.set(host, budgets);
  }
  return budgets;
}
