import { describe, expect, it } from 'vitest';
import { createWecomAccessPolicy, type WecomAccessConfig } from './access.js';

const base: WecomAccessConfig = {
  dmPolicy: 'open',
  groupPolicy: 'open',
  groupAllowFrom: [],
  groups: {},
};
const dm = (senderId: string) => ({ chatType: 'dm' as const, chatId: senderId, senderId });
const group = (chatId: string, senderId: string) => ({ chatType: 'group' as const, chatId, senderId });

describe('WeCom access policy', () => {
  it('hands every DM under allowlist to the host: the allowlist is the host’s (WECOM_ALLOWED_USERS)', () => {
    const policy = createWecomAccessPolicy({ ...base, dmPolicy: 'allowlist' });
    expect(policy.check(dm('alice'))).toEqual({ allowed: true, policy: 'allowlist' });
    expect(policy.check(dm('bob'))).toEqual({ allowed: true, policy: 'allowlist' });
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
