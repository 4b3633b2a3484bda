import { describe, expect, it } from 'vitest';
import { formatSignalMessageId, parseSignalMessageId } from './message-id.js';
import { normalizeSignalUserId } from './user-id.js';

describe('normalizeSignalUserId', () => {
  it('puts phone numbers in E.164 however they are written', () => {
    for (const written of [
      '+1 (555) 123-4567',
      '+15551234567',
      '0015551234567',
      '15551234567',
      ' +1.555.123.4567 ',
    ]) {
      expect(normalizeSignalUserId(written), written).toBe('+15551234567');
    }
  });

  it('lower-cases service ids and keeps the PNI: prefix', () => {
    expect(normalizeSignalUserId('AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE')).toBe(
      'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    );
    expect(normalizeSignalUserId('pni:AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE')).toBe(
      'PNI:aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    );
  });

  it('keeps the wildcard, usernames and too-short numbers as they are (trimmed)', () => {
    expect(normalizeSignalUserId(' * ')).toBe('*');
    expect(normalizeSignalUserId('u:alice.01')).toBe('u:alice.01');
    expect(normalizeSignalUserId('12345')).toBe('12345');
  });
});

describe('Signal message ids', () => {
  it('round-trips <timestamp>@<author> and accepts a bare timestamp', () => {
    expect(parseSignalMessageId(formatSignalMessageId(1700000000123, '+15551234567'))).toEqual({
      timestamp: 1700000000123,
      author: '+15551234567',
    });
    expect(parseSignalMessageId('1700000000123')).toEqual({ timestamp: 1700000000123, author: undefined });
  });

  it('refuses what is not an id', () => {
    for (const bad of ['', 'abc', '12a@x', '-5@x', '0@x'])
      expect(parseSignalMessageId(bad), bad).toBeUndefined();
  });
});
