import { describe, expect, it } from 'vitest';
import { envFlag, envInt, envList } from './env.js';
import { createMemoryLogger } from './logger.js';

describe('createMemoryLogger', () => {
  it('records entries with child bindings and finds by level and text', () => {
    const logger = createMemoryLogger();
    logger.child({ platform: 'wecom' }).error('socket dropped', { code: 1006 });
    logger.debug('noise');
    expect(logger.entries).toHaveLength(2);
    const [hit] = logger.find('warn', 'dropped');
    expect(hit?.fields).toEqual({ platform: 'wecom', code: 1006 });
    expect(logger.find('warn')).toHaveLength(1);
    expect(logger.find('debug', '1006')).toHaveLength(1);
  });
});

describe('env helpers', () => {
  const env = { A: 'TRUE', B: 'off', C: ' u1, u2 ,,u3 ', N: '42', BAD: 'x' };

  it('reads flags, lists and integers the way the Hermes env vars are written', () => {
    expect(envFlag(env, 'A')).toBe(true);
    expect(envFlag(env, 'B', true)).toBe(false);
    expect(envFlag(env, 'MISSING', true)).toBe(true);
    expect(envList(env, 'C')).toEqual(['u1', 'u2', 'u3']);
    expect(envList(env, 'MISSING')).toEqual([]);
    expect(envInt(env, 'N', 1)).toBe(42);
    expect(envInt(env, 'MISSING', 7)).toBe(7);
    expect(() => envInt(env, 'BAD', 1)).toThrow('BAD must be a number, got "x"');
  });
});
