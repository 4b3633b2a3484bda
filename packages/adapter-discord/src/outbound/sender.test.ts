import { describe, expect, it } from 'vitest';
import { discordTargetChannel, threadName } from './sender.js';

describe('threadName', () => {
  it('is the first non-empty line, cut to 100 characters', () => {
    expect(threadName('\n  what is new?\nmore')).toBe('what is new?');
    expect(threadName('')).toBe('Hermes');
    const long = threadName('☕'.repeat(150));
    expect([...long]).toHaveLength(100);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('discordTargetChannel', () => {
  it('a thread is its own channel', () => {
    expect(
      discordTargetChannel({ platform: 'discord', chatId: 'c', chatType: 'thread', threadId: 't' }),
    ).toBe('t');
    expect(discordTargetChannel({ platform: 'discord', chatId: 'c', chatType: 'group' }, 't2')).toBe('t2');
    expect(discordTargetChannel({ platform: 'discord', chatId: 'c', chatType: 'group' })).toBe('c');
  });
});
