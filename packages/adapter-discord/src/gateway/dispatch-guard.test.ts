import { describe, expect, it } from 'vitest';
import { checkDispatch } from './dispatch-guard.js';

const message = {
  id: '1300000000000000001',
  channel_id: '1300000000000000002',
  author: { id: '1300000000000000003', username: 'alice' },
  content: 'hi',
  timestamp: '2026-01-01T00:00:00.000Z',
};

describe('checkDispatch', () => {
  it('lets well-formed and unchecked dispatches through', () => {
    expect(checkDispatch({ t: 'MESSAGE_CREATE', d: message })).toEqual({ ok: true });
    expect(checkDispatch({ t: 'PRESENCE_UPDATE', d: {} })).toEqual({ ok: true });
    expect(checkDispatch({ t: 'RESUMED', d: null })).toEqual({ ok: true });
  });

  it('names what is wrong', () => {
    expect(checkDispatch({ d: {} })).toEqual({ ok: false, problem: 'dispatch without an event name (t)' });
    expect(checkDispatch({ t: 'MESSAGE_CREATE', d: null })).toEqual({
      ok: false,
      problem: 'MESSAGE_CREATE without a data object (d)',
    });
    const noAuthor = checkDispatch({ t: 'MESSAGE_CREATE', d: { ...message, author: undefined } });
    expect(noAuthor.ok).toBe(false);
    if (!noAuthor.ok) expect(noAuthor.problem).toMatch(/^MESSAGE_CREATE is malformed \(author/);
    const badMention = checkDispatch({ t: 'MESSAGE_CREATE', d: { ...message, mentions: [{ id: 5 }] } });
    expect(badMention.ok).toBe(false);
  });
});
