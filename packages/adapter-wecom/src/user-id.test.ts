import { describe, expect, it } from 'vitest';
import { wecomDescriptor } from './descriptor.js';
import { normalizeWecomUserId } from './user-id.js';

describe('normalizeWecomUserId', () => {
  it('strips wecom:, then user: or group:, in any case, and lower-cases the id', () => {
    expect(normalizeWecomUserId(' wecom:user:Alice ')).toBe('alice');
    expect(normalizeWecomUserId('WeCom:User:ZhangSan')).toBe('zhangsan');
    expect(normalizeWecomUserId('GROUP:wrAbC')).toBe('wrabc');
    expect(normalizeWecomUserId('wecom:Bob')).toBe('bob');
    expect(normalizeWecomUserId('Carol')).toBe('carol');
  });

  it('keeps the wildcard and strips only leading prefixes, once each', () => {
    expect(normalizeWecomUserId('*')).toBe('*');
    expect(normalizeWecomUserId('user:user:dave')).toBe('user:dave');
    expect(normalizeWecomUserId('eve:user:x')).toBe('eve:user:x');
  });

  it('is what the descriptor gives the host, so both allowlist sides meet', () => {
    const normalize = wecomDescriptor.normalizeUserId;
    expect(normalize).toBeDefined();
    expect(normalize?.('wecom:user:ALICE')).toBe(normalize?.('alice'));
    expect(normalize?.('wecom:user:ALICE')).toBe('alice');
  });
});
