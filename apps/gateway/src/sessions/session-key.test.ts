import type { ChatRef, Sender } from '@hermes/adapter-core';
import { describe, expect, it } from 'vitest';
import { gatewayConfigSchema } from '../config/schema.js';
import { expiredReason, resolveResetPolicy } from './reset-policy.js';
import { sessionKeyFor } from './session-key.js';

const opts = { groupSessionsPerUser: true, threadSessionsPerUser: false };
const key = (chat: Partial<ChatRef> & Pick<ChatRef, 'chatType'>, sender: Sender = { id: '42' }, o = opts) =>
  sessionKeyFor({ chat: { platform: 'telegram', chatId: '', ...chat }, sender }, o);

describe('sessionKeyFor (spec 2.1)', () => {
  it('keys DMs by chat, with the thread and never the user', () => {
    expect(key({ chatType: 'dm', chatId: '99' })).toBe('agent:main:telegram:dm:99');
    expect(key({ chatType: 'dm', chatId: '99', threadId: 'topic-1' })).toBe(
      'agent:main:telegram:dm:99:topic-1',
    );
    expect(key({ chatType: 'dm' }, { id: '42', altId: 'alt' })).toBe('agent:main:telegram:dm:alt');
    expect(key({ chatType: 'dm' }, { id: '' })).toBe('agent:main:telegram:dm');
  });

  it('keys groups per user by default and shares threads', () => {
    expect(key({ chatType: 'group', chatId: 'g1' }, { id: 'alice' })).toBe(
      'agent:main:telegram:group:g1:alice',
    );
    expect(key({ chatType: 'group', chatId: '-100', threadId: '17585' })).toBe(
      'agent:main:telegram:group:-100:17585',
    );
    expect(
      key(
        { chatType: 'group', chatId: '-100', threadId: '17585' },
        { id: '42' },
        { ...opts, threadSessionsPerUser: true },
      ),
    ).toBe('agent:main:telegram:group:-100:17585:42');
    expect(
      key({ chatType: 'channel', chatId: 'c' }, { id: 'u' }, { ...opts, groupSessionsPerUser: false }),
    ).toBe('agent:main:telegram:channel:c');
  });
});

describe('reset policies (spec 2.3)', () => {
  const config = gatewayConfigSchema.parse({
    session_reset: { mode: 'idle', idle_minutes: 60 },
    reset_by_type: { group: { mode: 'daily', at_hour: 4 } },
    reset_by_platform: { slack: { mode: 'none' } },
  });

  it('resolves platform, then chat type, then default; threads only by explicit policy', () => {
    expect(resolveResetPolicy(config, 'slack', 'dm', false).mode).toBe('none');
    expect(resolveResetPolicy(config, 'telegram', 'group', false).mode).toBe('daily');
    expect(resolveResetPolicy(config, 'telegram', 'dm', false).mode).toBe('idle');
    expect(resolveResetPolicy(config, 'telegram', 'group', true).mode).toBe('none');
    expect(resolveResetPolicy(gatewayConfigSchema.parse({}), 'telegram', 'dm', false).mode).toBe('none');
  });

  it('expires idle sessions after idle_minutes and daily ones across the at_hour boundary', () => {
    const idle = resolveResetPolicy(config, 'telegram', 'dm', false);
    const t0 = new Date(2026, 10, 25, 12, 0);
    expect(expiredReason(idle, t0, new Date(2026, 10, 25, 12, 59))).toBeUndefined();
    expect(expiredReason(idle, t0, new Date(2026, 10, 25, 13, 1))).toBe('idle');
    const daily = resolveResetPolicy(config, 'telegram', 'group', false);
    expect(expiredReason(daily, new Date(2026, 10, 25, 3, 59), new Date(2026, 10, 25, 4, 1))).toBe('daily');
    expect(expiredReason(daily, new Date(2026, 10, 25, 4, 1), new Date(2026, 10, 26, 3, 0))).toBeUndefined();
  });
});
