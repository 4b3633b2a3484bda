import type { UsageEvent } from './types.js';

export interface UsageTotals {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  apiCalls: number;
  turns: number;
}

export interface UsageSnapshot extends UsageTotals {
  /** Prompt size of the most recent request: the current context fill. */
  lastPromptTokens: number;
  byModel: Record<string, UsageTotals>;
}

/** Per-session token accounting for `/usage` and `/status`; `snapshot()` is plain JSON to persist. */
export interface UsageTracker {
  record(usage: Omit<UsageEvent, 'type'>): void;
  totals(): UsageTotals;
  snapshot(): UsageSnapshot;
  reset(): void;
}

const zero = (): UsageTotals => ({
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
  apiCalls: 0,
  turns: 0,
});

function add(into: UsageTotals, u: Omit<UsageEvent, 'type'>): void {
  into.promptTokens += u.promptTokens;
  into.completionTokens += u.completionTokens;
  into.totalTokens += u.totalTokens;
  into.apiCalls += u.apiCalls;
  into.turns += 1;
}

export function createUsageTracker(initial?: UsageSnapshot): UsageTracker {
  let total = zero();
  let lastPromptTokens = 0;
  let byModel = new Map<string, UsageTotals>();
  if (initial) {
    const { lastPromptTokens: last, byModel: models, ...t } = initial;
    total = { ...t };
    lastPromptTokens = last;
    byModel = new Map(Object.entries(models).map(([k, v]) => [k, { ...v }]));
  }
  return {
    record(u) {
      add(total, u);
      const perModel = byModel.get(u.model) ?? zero();
      add(perModel, u);
      byModel.set(u.model, perModel);
      if (u.apiCalls > 0) lastPromptTokens = u.lastPromptTokens;
    },
    totals: () => ({ ...total }),
    snapshot: () => ({
      ...total,
      lastPromptTokens,
      byModel: Object.fromEntries([...byModel].map(([k, v]) => [k, { ...v }])),
    }),
    reset() {
      total = zero();
      lastPromptTokens = 0;
      byModel = new Map();
    },
  };
}
