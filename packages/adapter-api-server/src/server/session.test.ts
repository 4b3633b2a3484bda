import { describe, expect, it } from 'vitest';
import { resolveSession } from './session.js';

describe('resolveSession', () => {
  it('keeps a valid X-Hermes-Session-Id', () => {
    expect(resolveSession({ 'x-hermes-session-id': 'abc-123:x@y.z' })).toEqual({
      ok: true,
      session: { sessionId: 'abc-123:x@y.z', source: 'header' },
    });
  });

  it('derives a stable id from X-Hermes-Session-Key, the id wins when both are sent', () => {
    const a = resolveSession({ 'x-hermes-session-key': 'alice' });
    const b = resolveSession({ 'x-hermes-session-key': 'alice' });
    const c = resolveSession({ 'x-hermes-session-key': 'bob' });
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (!a.ok || !b.ok || !c.ok) return;
    expect(a.session.sessionId).toBe(b.session.sessionId);
    expect(a.session.sessionId).not.toBe(c.session.sessionId);
    expect(a.session.sessionId).not.toContain('alice');
    expect(resolveSession({ 'x-hermes-session-key': 'alice', 'x-hermes-session-id': 's1' })).toEqual({
      ok: true,
      session: { sessionId: 's1', source: 'header', sessionKey: 'alice' },
    });
  });

  it('generates a fresh id otherwise', () => {
    const a = resolveSession({});
    const b = resolveSession({});
    expect(a.ok && b.ok && a.session.sessionId !== b.session.sessionId).toBe(true);
  });

  it('rejects ids with unsafe characters or over 256 characters, and keys over 256', () => {
    expect(resolveSession({ 'x-hermes-session-id': '../etc/passwd' })).toMatchObject({ ok: false });
    expect(resolveSession({ 'x-hermes-session-id': 'a'.repeat(257) })).toMatchObject({ ok: false });
    expect(resolveSession({ 'x-hermes-session-id': 'a'.repeat(256) })).toMatchObject({ ok: true });
    expect(resolveSession({ 'x-hermes-session-key': 'k'.repeat(257) })).toMatchObject({
      ok: false,
      header: 'X-Hermes-Session-Key',
    });
  });
});
