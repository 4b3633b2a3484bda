import { describe, expect, it } from 'vitest';
import { createMemoryLogger, type Logger } from './logger.js';
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

  it('does no redaction work for a level the logger drops, and still logs the levels it keeps', () => {
    const written: string[] = [];
    let inspected = 0;
    const inner: Logger = {
      debug: (m) => written.push(`debug ${m}`),
      info: (m) => written.push(`info ${m}`),
      warn: (m) => written.push(`warn ${m}`),
      error: (m) => written.push(`error ${m}`),
      child: () => inner,
      isLevelEnabled: (level) => level !== 'debug',
    };
    const logger = createRedactingLogger(inner, ['hunter2-password']);
    // A field whose read is counted: redaction walks every field it is given.
    const fields = {
      get detail() {
        inspected++;
        return 'hunter2-password';
      },
    };
    logger.debug('dropped hunter2-password', fields);
    expect(inspected).toBe(0);
    logger.child({ a: 1 }).info('kept hunter2-password', fields);
    expect(inspected).toBe(1);
    expect(written).toEqual(['info kept [REDACTED]']);
    expect(logger.isLevelEnabled?.('debug')).toBe(false);
    // A logger that cannot say drops nothing.
    const memory = createMemoryLogger();
    createRedactingLogger(memory).debug('kept');
    expect(memory.entries.map((e) => e.msg)).toEqual(['kept']);
  });
});
