import { describe, expect, it } from 'vitest';
import { type ApprovalTicket, createApprovalGate, DEFAULT_APPROVAL_TTL_MS } from './approval-gate.js';

function pending(ticket: ApprovalTicket) {
  if (ticket.status !== 'pending') throw new Error('expected a pending ticket');
  return ticket;
}

const input = (sessionKey: string, command = 'rm -rf x', patternKey = 'recursive_delete') => ({
  sessionKey,
  command,
  reason: 'recursive delete',
  patternKey,
});

describe('createApprovalGate', () => {
  it('defaults to a 300 s expiry', () => {
    const gate = createApprovalGate({ now: () => 1000 });
    const t = pending(gate.request(input('s1')));
    expect(DEFAULT_APPROVAL_TTL_MS).toBe(300_000);
    expect(t.request.expiresAt).toBe(301_000);
    gate.resolve(t.request.id, false);
  });

  it('resolves by id or the latest pending of a session, and reports nothing pending', async () => {
    const gate = createApprovalGate();
    const a = pending(gate.request(input('s1', 'rm -r a')));
    const b = pending(gate.request(input('s1', 'rm -r b')));
    const c = pending(gate.request(input('s2', 'rm -r c')));
    expect(gate.pending('s1').map((r) => r.command)).toEqual(['rm -r a', 'rm -r b']);
    expect(gate.pending()).toHaveLength(3);

    expect(gate.resolve('latest', true, { sessionKey: 's1' })?.command).toBe('rm -r b');
    await expect(b.decision).resolves.toEqual({ approved: true, scope: 'once' });
    expect(gate.resolve(a.request.id, false)?.command).toBe('rm -r a');
    await expect(a.decision).resolves.toEqual({ approved: false, reason: 'denied' });
    // Another session's id does not resolve with the wrong session key.
    expect(gate.resolve(c.request.id, true, { sessionKey: 's1' })).toBeUndefined();
    expect(gate.resolve('latest', true, { sessionKey: 's1' })).toBeUndefined();
    expect(gate.resolve('latest', false)?.command).toBe('rm -r c');
    expect(gate.pending()).toEqual([]);
  });

  it('expires pending requests as denied', async () => {
    const gate = createApprovalGate({ ttlMs: 30 });
    const t = pending(gate.request(input('s1')));
    await expect(t.decision).resolves.toEqual({ approved: false, reason: 'expired' });
    expect(gate.pending()).toEqual([]);
    expect(gate.resolve(t.request.id, true)).toBeUndefined();
  });

  it('withdraws a request when its signal aborts', async () => {
    const gate = createApprovalGate();
    const controller = new AbortController();
    const t = pending(gate.request({ ...input('s1'), signal: controller.signal }));
    controller.abort();
    await expect(t.decision).resolves.toEqual({ approved: false, reason: 'aborted' });
    const early = gate.request({ ...input('s1'), signal: controller.signal });
    await expect(pending(early).decision).resolves.toEqual({ approved: false, reason: 'aborted' });
  });

  it('session scope pre-approves the pattern for that session only; forgetSession clears it', () => {
    const gate = createApprovalGate();
    const t = pending(gate.request(input('s1')));
    gate.resolve(t.request.id, true, { scope: 'session' });
    expect(gate.request(input('s1', 'rm -r other'))).toEqual({ status: 'preapproved', scope: 'session' });
    expect(gate.request(input('s1', 'mkfs /dev/sda', 'disk_tools')).status).toBe('pending');
    expect(gate.request(input('s2')).status).toBe('pending');
    gate.forgetSession('s1');
    expect(gate.request(input('s1')).status).toBe('pending');
    for (const r of gate.pending()) gate.resolve(r.id, false);
  });

  it('always scope applies everywhere and is reported for persistence', () => {
    const persisted: string[] = [];
    const gate = createApprovalGate({
      alwaysAllowed: ['pipe_to_shell'],
      onAlwaysAllowed: (k) => persisted.push(k),
    });
    expect(gate.request(input('s9', 'curl x | sh', 'pipe_to_shell'))).toEqual({
      status: 'preapproved',
      scope: 'always',
    });
    const t = pending(gate.request(input('s1')));
    gate.resolve('latest', true, { scope: 'always' });
    expect(persisted).toEqual(['recursive_delete']);
    expect(gate.request(input('s2'))).toEqual({ status: 'preapproved', scope: 'always' });
    expect([...gate.alwaysAllowed].sort()).toEqual(['pipe_to_shell', 'recursive_delete']);
    expect(t.request.patternKey).toBe('recursive_delete');
  });
});
