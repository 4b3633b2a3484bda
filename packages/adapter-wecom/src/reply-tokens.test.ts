import { describe, expect, it } from 'vitest';
import { WecomReplyTokenCache } from './reply-tokens.js';

describe('WecomReplyTokenCache', () => {
  it('maps msgid and chat to the callback req_id', () => {
    const cache = new WecomReplyTokenCache();
    cache.remember('m1', 'alice', 'req-1');
    cache.remember('m2', 'alice', 'req-2');
    expect(cache.forMessage('m1')?.reqId).toBe('req-1');
    expect(cache.forChat('alice')?.reqId).toBe('req-2');
    expect(cache.forMessage('nope')).toBeUndefined();
  });

  it('evicts the oldest answered tokens and chats beyond maxEntries', () => {
    const cache = new WecomReplyTokenCache({ maxEntries: 1000 });
    for (let i = 0; i < 1500; i++) {
      cache.remember(`m${i}`, `chat${i}`, `req${i}`);
      cache.markAnswered(`m${i}`);
    }
    expect(cache.stats()).toMatchObject({ pending: 0, answered: 1000, chats: 1000 });
    expect(cache.forMessage('m499')).toBeUndefined();
    expect(cache.forMessage('m500')?.reqId).toBe('req500');
    expect(cache.forChat('chat499')).toBeUndefined();
    expect(cache.forChat('chat1499')?.reqId).toBe('req1499');
  });

  it('never evicts a token whose reply is still pending, whatever the burst', () => {
    const cache = new WecomReplyTokenCache({ maxEntries: 10 });
    for (let i = 0; i < 5000; i++) cache.remember(`m${i}`, `chat${i}`, `req${i}`);
    expect(cache.stats()).toMatchObject({ pending: 5000, pendingEvicted: 0 });
    expect(cache.forMessage('m0')?.reqId).toBe('req0');
    expect(cache.forChat('chat0')?.reqId).toBe('req0');
    for (let i = 0; i < 5000; i++) cache.markAnswered(`m${i}`);
    cache.remember('late', 'chat-late', 'req-late');
    expect(cache.stats().answered).toBe(10);
    expect(cache.stats().chats).toBeLessThanOrEqual(11);
  });

  it('drops tokens older than maxAgeMs, pending or not', () => {
    let now = 0;
    const cache = new WecomReplyTokenCache({ maxAgeMs: 1000, now: () => now });
    cache.remember('m1', 'c', 'r1');
    now = 999;
    expect(cache.forMessage('m1')).toBeDefined();
    now = 1001;
    expect(cache.forMessage('m1')).toBeUndefined();
    expect(cache.forChat('c')).toBeUndefined();
  });

  it('has a hard cap on pending tokens and reports each one it drops', () => {
    const dropped: string[] = [];
    const cache = new WecomReplyTokenCache({ maxPending: 3, onPendingEvicted: (t) => dropped.push(t.msgid) });
    for (let i = 0; i < 5; i++) cache.remember(`m${i}`, 'c', `r${i}`);
    expect(dropped).toEqual(['m0', 'm1']);
    expect(cache.stats()).toMatchObject({ pending: 3, pendingEvicted: 2 });
  });

  it('keeps exact bounds and the oldest-first order through a long stream of answered messages', () => {
    const cache = new WecomReplyTokenCache({ maxEntries: 1000 });
    // 100 chats with a message each in flight, answered in arrival order: the bench's steady state.
    for (let i = 0; i < 30_000; i++) {
      cache.remember(`m${i}`, `chat${i % 100}`, `req${i}`);
      if (i >= 100) cache.markAnswered(`m${i - 100}`);
    }
    expect(cache.stats()).toMatchObject({ pending: 100, answered: 1000, chats: 100, pendingEvicted: 0 });
    expect(cache.forMessage('m28899')).toBeUndefined();
    expect(cache.forMessage('m28900')?.reqId).toBe('req28900');
    expect(cache.forMessage('m29999')?.reqId).toBe('req29999');
    expect(cache.isPending('m29900')).toBe(true);
    expect(cache.forChat('chat7')?.reqId).toBe('req29907');
  });

  it('forget() kills a stale token and the chat entry pointing at it', () => {
    const cache = new WecomReplyTokenCache();
    cache.remember('m1', 'c', 'r1');
    cache.forget('m1');
    expect(cache.forMessage('m1')).toBeUndefined();
    expect(cache.forChat('c')).toBeUndefined();
  });
});
