import { describe, expect, it } from 'vitest';
import { createWecomAccessPolicy, normalizeWecomId, type WecomAccessConfig } from './access.js';

const base: WecomAccessConfig = {
  dmPolicy: 'open',
  groupPolicy: 'open',
  allowFrom: [],
  groupAllowFrom: [],
  groups: {},
};
const dm = (senderId: string) => ({ chatType: 'dm' as const, chatId: senderId, senderId });
const group = (chatId: string, senderId: string) => ({ chatType: 'group' as const, chatId, senderId });

describe('normalizeWecomId', () => {
  it('strips wecom:, user: and group: prefixes and lowercases', () => {
    expect(normalizeWecomId(' wecom:user:Alice ')).toBe('alice');
    expect(normalizeWecomId('GROUP:wrAbC')).toBe('wrabc');
    expect(normalizeWecomId('wecom:Bob')).toBe('bob');
    expect(normalizeWecomId('*')).toBe('*');
  });
});

describe('WeCom access policy', () => {
  it('DM allowlist lets listed users in (any spelling) and blocks others', () => {
    const policy = createWecomAccessPolicy({
      ...base,
      dmPolicy: 'allowlist',
      allowFrom: ['wecom:user:ALICE'],
    });
    expect(policy.check(dm('alice'))).toEqual({ allowed: true, policy: 'allowlist' });
    expect(policy.check(dm('bob'))).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('allow list'),
    });
  });

  it('DM disabled drops, pairing and open let through, an empty sender is denied', () => {
    expect(createWecomAccessPolicy({ ...base, dmPolicy: 'disabled' }).check(dm('a')).allowed).toBe(false);
    expect(createWecomAccessPolicy({ ...base, dmPolicy: 'pairing' }).check(dm('a'))).toEqual({
      allowed: true,
      policy: 'pairing',
    });
    expect(createWecomAccessPolicy(base).check(dm('a')).allowed).toBe(true);
    expect(createWecomAccessPolicy(base).check(dm(' ')).allowed).toBe(false);
  });

  it('groups never pair', () => {
    const decision = createWecomAccessPolicy({ ...base, groupPolicy: 'pairing' }).check(group('g1', 'alice'));
    expect(decision).toMatchObject({ allowed: false, policy: 'pairing' });
  });

  it('group allowlist needs the chat in group_allow_from and the sender in its per-group list', () => {
    const policy = createWecomAccessPolicy({
      ...base,
      groupPolicy: 'allowlist',
      groupAllowFrom: ['group:G1', 'g2'],
      groups: { g1: { allowFrom: ['alice'] } },
    });
    expect(policy.check(group('G1', 'Alice')).allowed).toBe(true);
    expect(policy.check(group('g1', 'bob')).allowed).toBe(false);
    expect(policy.check(group('g2', 'bob')).allowed).toBe(true);
    expect(policy.check(group('g3', 'alice')).allowed).toBe(false);
  });

  it('open groups still apply per-group sender lists, with * as the default entry', () => {
    const policy = createWecomAccessPolicy({
      ...base,
      groups: { '*': { allowFrom: ['carol'] }, g9: { allowFrom: ['*'] } },
    });
    expect(policy.check(group('g1', 'carol')).allowed).toBe(true);
    expect(policy.check(group('g1', 'dave')).allowed).toBe(false);
    expect(policy.check(group('G9', 'dave')).allowed).toBe(true);
  });

  it('disabled groups drop everything', () => {
    expect(createWecomAccessPolicy({ ...base, groupPolicy: 'disabled' }).check(group('g', 'a')).allowed).toBe(
      false,
    );
  });
});
