import { describe, expect, it } from 'vitest';
import { createCommandRegistry } from './handlers.js';
import { parseCommand } from './parse.js';

describe('parseCommand', () => {
  it('lowercases, strips @botname and keeps the arguments', () => {
    expect(parseCommand('/Status@HermesBot')).toEqual({ name: 'status', args: '' });
    expect(parseCommand('  /new  hello there ')).toEqual({ name: 'new', args: 'hello there' });
    expect(parseCommand('/model —global x–y')).toEqual({ name: 'model', args: '--global x-y' });
  });

  it('ignores plain text, paths and bare slashes; ! only where allowed', () => {
    expect(parseCommand('hello /status')).toBeUndefined();
    expect(parseCommand('/usr/bin/env')).toBeUndefined();
    expect(parseCommand('/')).toBeUndefined();
    expect(parseCommand('!status')).toBeUndefined();
    expect(parseCommand('!status', { altPrefix: '!' })).toEqual({ name: 'status', args: '' });
  });
});

describe('CommandRegistry', () => {
  const registry = createCommandRegistry();

  it('has every command of the issue', () => {
    for (const name of [
      'new',
      'reset',
      'stop',
      'status',
      'help',
      'retry',
      'undo',
      'queue',
      'steer',
      'sethome',
      'title',
      'resume',
      'usage',
      'model',
      'provider',
      'personality',
      'reasoning',
      'compress',
      'approve',
      'deny',
      'background',
    ]) {
      expect(registry.resolve(name)?.name).toBe(name);
    }
    expect(registry.resolve('q')?.name).toBe('queue');
    expect(registry.resolve('bg')?.name).toBe('background');
  });

  it('resolves an unambiguous prefix and nothing for an ambiguous or unknown one', () => {
    expect(registry.resolve('sta')?.name).toBe('status');
    expect(registry.resolve('res')).toBeUndefined(); // reset, resume
    expect(registry.resolve('foo')).toBeUndefined();
  });

  it('marks the busy-guard bypass commands', () => {
    const bypass = registry.specs
      .filter((s) => s.bypass)
      .map((s) => s.name)
      .sort();
    expect(bypass).toEqual([
      'approve',
      'background',
      'deny',
      'help',
      'new',
      'platform',
      'queue',
      'reset',
      'status',
      'steer',
      'stop',
    ]);
  });
});
