import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from './logger.js';
import { createRedactingLogger, createRedactor } from './redact.js';

describe('createRedactor', () => {
  const redact = createRedactor(['s3cr3t-value']);

  it('masks registered secrets wherever they appear', () => {
    expect(redact('login with s3cr3t-value failed')).toBe('login with [REDACTED] failed');
  });

  it('masks known token shapes nobody registered', () => {
    const samples = [
      '123456789:AAH7xQwErTyUiOpAsDfGhJkLzXcVbNmQwEr1',
      'xoxb-1234567890-abcdefghij',
      'xapp-1-A0123-4567-abcdef',
      'sk-abcdefghijklmnop1234',
    ];
    for (const token of samples) {
      const out = redact(`token is ${token} ok`);
      expect(out).not.toContain(token);
      expect(out).toContain('[REDACTED]');
    }
  });

  it('keeps the parameter name of secrets in URLs and headers', () => {
    expect(redact('GET /x?access_token=abc123&y=1')).toBe('GET /x?access_token=[REDACTED]&y=1');
    expect(redact('Authorization: Bearer abcdefghijkl')).toBe('Authorization: Bearer [REDACTED]');
  });

  it('ignores secrets too short to mask safely', () => {
    expect(createRedactor(['ab'])('about')).toBe('about');
  });
});

describe('createRedactingLogger', () => {
  it('redacts messages, nested fields, secret-named keys and child bindings', () => {
    const memory = createMemoryLogger();
    const logger = createRedactingLogger(memory, ['hunter2-password']);
    logger.child({ via: 'hunter2-password' }).warn('failed with hunter2-password', {
      nested: { detail: 'token hunter2-password' },
      apiKey: 'whatever-it-is',
      error: new Error('hunter2-password leaked'),
    });
    const all = JSON.stringify(memory.entries);
    expect(all).not.toContain('hunter2-password');
    expect(all).not.toContain('whatever-it-is');
    expect(memory.find('warn', 'failed with [REDACTED]')).toHaveLength(1);
  });
});
