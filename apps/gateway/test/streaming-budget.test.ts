import { describe, expect, it } from 'vitest';
import { ChatBudgets, chatBudget } from '../src/turn/streaming/chat-budget.js';
import { resolveStreaming } from '../src/turn/streaming/streaming-mode.js';
import { MemoryAdapter, MemoryNativeStreamAdapter } from './support/memory-adapter.js';

describe('per-chat budget shared by stream edits, tool progress and finals', () => {
  it('stream edits take free tokens only; a final never waits and its debt delays the next edit', () => {
    let now = 0;
    const budget = chatBudget({ messages: 2, perMs: 1000 }, () => now);
    expect(budget.tryTake()).toBe(true);
    expect(budget.tryTake()).toBe(true);
    expect(budget.tryTake()).toBe(false);
    budget.spend();
    expect(budget.msUntilAvailable()).toBe(1000);
    now += 999;
    expect(budget.tryTake()).toBe(false);
    now += 1;
    expect(budget.tryTake()).toBe(true);
  });

  it('a 429 blocks stream edits until its retry-after', () => {
    let now = 0;
    const budget = chatBudget({ messages: 5, perMs: 1000 }, () => now);
    budget.pauseFor(300);
    expect(budget.tryTake()).toBe(false);
    expect(budget.msUntilAvailable()).toBe(300);
    now = 300;
    expect(budget.tryTake()).toBe(true);
  });

  it('a waiting tool-progress write goes before any stream edit', async () => {
    let now = 0;
    const budget = chatBudget({ messages: 1, perMs: 1000 }, () => now);
    expect(budget.tryTake()).toBe(true);
    const progress = budget.take();
    expect(budget.tryTake()).toBe(false);
    now = 1000;
    // The progress write still holds its claim: the stream edit may not jump it.
    expect(budget.tryTake()).toBe(false);
    await progress;
    expect(budget.tryTake()).toBe(false);
  });

  it('is keyed by platform and chat, and falls back to one write per second', () => {
    const budgets = new ChatBudgets();
    const chat = { platform: 'p', chatId: 'c', chatType: 'dm' as const };
    expect(budgets.for(chat, {})).toBe(budgets.for(chat, {}));
    expect(budgets.for(chat, {})).not.toBe(budgets.for({ ...chat, chatId: 'd' }, {}));
    const b = budgets.for({ ...chat, chatId: 'e' }, {});
    expect(b.tryTake()).toBe(true);
    expect(b.msUntilAvailable()).toBeGreaterThan(900);
  });
});

describe('streaming mode', () => {
  const file = (display?: 'off' | 'edit' | 'native', own?: 'off' | 'edit' | 'native') => ({
    display: { streaming: display },
    platforms: { memory: own ? { streaming: own } : undefined },
  });

  it('defaults to the best the platform has', () => {
    expect(resolveStreaming(file(), {}, new MemoryNativeStreamAdapter()).mode).toBe('native');
    expect(resolveStreaming(file(), {}, new MemoryAdapter()).mode).toBe('edit');
    expect(resolveStreaming(file(), {}, new MemoryAdapter('memory', { edit: false })).mode).toBe('off');
  });

  it('degrades a mode the platform cannot do, and reports a bad HERMES_STREAMING', () => {
    expect(resolveStreaming(file('native'), {}, new MemoryAdapter()).mode).toBe('edit');
    const r = resolveStreaming(file('off'), { HERMES_STREAMING: 'fast' }, new MemoryAdapter());
    expect(r).toEqual({ mode: 'off', invalidEnv: 'fast' });
    expect(resolveStreaming(file('off', 'edit'), { HERMES_STREAMING: 'off' }, new MemoryAdapter()).mode).toBe(
      'edit',
    );
  });
});
