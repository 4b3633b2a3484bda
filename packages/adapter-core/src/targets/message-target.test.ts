import { describe, expect, it } from 'vitest';
import { parseMessageTarget } from './message-target.js';

describe('parseMessageTarget', () => {
  it.each([
    ['home', { kind: 'home' }, 'home'],
    ['HOME', { kind: 'home' }, 'home'],
    ['telegram', { kind: 'platform', platform: 'telegram' }, 'telegram'],
    [
      'Telegram:-1001234',
      { kind: 'platform', platform: 'telegram', chatId: '-1001234' },
      'telegram:-1001234',
    ],
    [
      'telegram:-1001234:17',
      { kind: 'platform', platform: 'telegram', chatId: '-1001234', threadId: '17' },
      'telegram:-1001234:17',
    ],
    [
      'slack:C0123:1700000000.123456',
      { kind: 'platform', platform: 'slack', chatId: 'C0123', threadId: '1700000000.123456' },
      'slack:C0123:1700000000.123456',
    ],
    [
      'email:alice@example.com',
      { kind: 'platform', platform: 'email', chatId: 'alice@example.com' },
      'email:alice@example.com',
    ],
    [
      'matrix:!room:example.org',
      { kind: 'platform', platform: 'matrix', chatId: '!room:example.org' },
      'matrix:!room:example.org',
    ],
    [
      'matrix:!room:example.org:$evt',
      { kind: 'platform', platform: 'matrix', chatId: '!room:example.org', threadId: '$evt' },
      'matrix:!room:example.org:$evt',
    ],
    ['  discord:123  ', { kind: 'platform', platform: 'discord', chatId: '123' }, 'discord:123'],
  ])('parses %s', (raw, target, normalized) => {
    expect(parseMessageTarget(raw)).toEqual({ ok: true, target, normalized });
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['telegram: 123', /spaces/],
    ['9gag:1', /not a platform name/],
    ['tele gram', /spaces/],
    ['telegram:', /chat id after "telegram:" is empty/],
    ['telegram:1:', /thread id/],
    ['telegram:1:2:3', /thread id/],
    ['x'.repeat(300), /longer than 256/],
  ])('rejects %j', (raw, message) => {
    const r = parseMessageTarget(raw);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(message);
  });

  it('checks the platform against the connected ones when given', () => {
    const r = parseMessageTarget('whatsapp:1', ['telegram', 'slack']);
    expect(!r.ok && r.error).toBe(
      'The platform "whatsapp" is not connected. Connected platforms: telegram, slack.',
    );
    expect(parseMessageTarget('slack:C1', ['telegram', 'slack']).ok).toBe(true);
    expect(parseMessageTarget('home', []).ok).toBe(true);
  });
});
