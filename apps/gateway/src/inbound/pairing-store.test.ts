import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PAIRING, PairingStore } from './pairing-store.js';

let dir: string;
let clock: number;
let store: PairingStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hermes-pairing-'));
  clock = 1_800_000_000;
  store = new PairingStore(dir, () => clock);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function code(platform: string, user: string): string {
  const r = store.generateCode(platform, user, `name-${user}`);
  if (!r.ok) throw new Error(`no code: ${r.reason}`);
  return r.code;
}

describe('PairingStore', () => {
  it('issues 8-char codes from the 32-symbol alphabet and never stores them in plain text', () => {
    const c = code('telegram', 'u1');
    expect(c).toMatch(new RegExp(`^[${PAIRING.alphabet}]{8}$`));
    for (const f of readdirSync(dir)) {
      expect(readFileSync(join(dir, f), 'utf8')).not.toContain(c);
      expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    }
  });

  it('approves a code case-insensitively, once, and the user becomes approved', () => {
    const c = code('telegram', 'u1');
    expect(store.approveCode('telegram', ` ${c.toLowerCase()} `)).toEqual({
      ok: true,
      userId: 'u1',
      userName: 'name-u1',
    });
    expect(store.isApproved('telegram', 'u1')).toBe(true);
    expect(store.isApproved('discord', 'u1')).toBe(false);
    expect(store.approveCode('telegram', c)).toEqual({ ok: false, reason: 'invalid_code' });
  });

  it('gives one code per user per 10 minutes and at most 3 pending per platform', () => {
    code('telegram', 'u1');
    expect(store.generateCode('telegram', 'u1')).toEqual({ ok: false, reason: 'rate_limited' });
    code('telegram', 'u2');
    code('telegram', 'u3');
    expect(store.generateCode('telegram', 'u4')).toEqual({ ok: false, reason: 'too_many_pending' });
    expect(store.generateCode('slack', 'u4').ok).toBe(true);
    clock += PAIRING.rateLimitSeconds;
    expect(store.generateCode('telegram', 'u1')).toEqual({ ok: false, reason: 'too_many_pending' });
  });

  it('expires codes after one hour', () => {
    const c = code('telegram', 'u1');
    clock += PAIRING.codeTtlSeconds;
    expect(store.approveCode('telegram', c)).toEqual({ ok: false, reason: 'invalid_code' });
    expect(store.listPending(['telegram'])).toEqual([]);
  });

  it('locks the platform for an hour after 5 wrong approvals, even for the right code', () => {
    const c = code('telegram', 'u1');
    for (let i = 0; i < PAIRING.maxFailedAttempts; i++) store.approveCode('telegram', 'WRONGWRO');
    expect(store.approveCode('telegram', c)).toEqual({ ok: false, reason: 'locked_out' });
    expect(store.generateCode('telegram', 'u9')).toEqual({ ok: false, reason: 'locked_out' });
    clock += PAIRING.lockoutSeconds + 1;
    expect(store.approveCode('telegram', c)).toEqual({ ok: false, reason: 'invalid_code' });
  });

  it('lists pending requests with a hash prefix only, revokes and clears', () => {
    code('telegram', 'u1');
    const [view] = store.listPending(['telegram']);
    expect(view).toMatchObject({ platform: 'telegram', userId: 'u1', userName: 'name-u1' });
    expect(view?.hashPrefix).toMatch(/^[0-9a-f]{8}$/);
    expect(store.clearPending('telegram')).toBe(1);
    expect(store.listPending(['telegram'])).toEqual([]);
    const c = code('slack', 'u2');
    store.approveCode('slack', c);
    expect(store.revoke('slack', 'u2')).toBe(true);
    expect(store.revoke('slack', 'u2')).toBe(false);
    expect(store.isApproved('slack', 'u2')).toBe(false);
  });

  it('never overwrites a corrupt file and refuses to issue codes while it is corrupt', () => {
    writeFileSync(join(dir, 'telegram-pending.json'), '{not json');
    expect(store.generateCode('telegram', 'u1')).toEqual({ ok: false, reason: 'store_unreadable' });
    expect(store.clearPending('telegram')).toBeUndefined();
    expect(readFileSync(join(dir, 'telegram-pending.json'), 'utf8')).toBe('{not json');
  });

  it('is shared state: a second store on the same dir (another process) sees approvals at once', () => {
    const c = code('telegram', 'u1');
    const cli = new PairingStore(dir, () => clock);
    expect(cli.approveCode('telegram', c).ok).toBe(true);
    expect(store.isApproved('telegram', 'u1')).toBe(true);
  });
});
