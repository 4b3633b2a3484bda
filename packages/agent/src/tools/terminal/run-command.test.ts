import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { CappedOutput } from './output-buffer.js';
import { runCommand } from './run-command.js';
import { scrubbedEnv } from './terminal-tool.js';
import { liveGroupMembers } from './test-process-group.js';

const base = {
  cwd: tmpdir(),
  env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
  shell: '/bin/sh',
  timeoutMs: 10_000,
  maxOutputChars: 10_000,
  killGraceMs: 1000,
  signal: new AbortController().signal,
};

describe('runCommand', () => {
  it('reports exit code and merged output', async () => {
    const r = await runCommand({ ...base, command: 'echo out; echo err >&2; exit 3' });
    expect(r).toMatchObject({ kind: 'exited', exitCode: 3 });
    expect(r.kind === 'exited' && r.output).toBe('out\nerr\n');
  });

  it('times out, taking the whole process group down', async () => {
    const r = await runCommand({ ...base, command: 'sleep 30 & sleep 30; echo never', timeoutMs: 200 });
    expect(r.kind).toBe('timed-out');
    const pid = r.kind === 'timed-out' ? r.pid : undefined;
    expect(pid).toBeGreaterThan(0);
    expect(liveGroupMembers(pid as number)).toEqual([]);
  });

  it('caps output, keeping head and tail', async () => {
    const r = await runCommand({
      ...base,
      maxOutputChars: 1000,
      command: 'echo START; seq 1 100000; echo END',
    });
    const out = r.kind === 'exited' ? r.output : '';
    expect(out.startsWith('START\n')).toBe(true);
    expect(out.trimEnd().endsWith('END')).toBe(true);
    expect(out).toMatch(/characters of output omitted/);
    expect(out.length).toBeLessThan(1200);
  });

  it('reports a missing working directory as a spawn failure', async () => {
    const r = await runCommand({ ...base, cwd: '/definitely/not/here', command: 'true' });
    expect(r.kind).toBe('spawn-failed');
  });

  it('does not wait for a background child that keeps the pipes open', async () => {
    const started = Date.now();
    const r = await runCommand({ ...base, command: 'sleep 2 & echo bg' });
    expect(r.kind).toBe('exited');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('CappedOutput', () => {
  it('keeps everything under the cap', () => {
    const c = new CappedOutput(100);
    c.append('abc');
    c.append('def');
    expect(c.toString()).toBe('abcdef');
    expect(c.truncated).toBe(false);
  });
});

describe('scrubbedEnv', () => {
  it('removes variables that look like secrets', () => {
    const env = scrubbedEnv({
      PATH: '/bin',
      OPENAI_API_KEY: 'sk',
      TELEGRAM_BOT_TOKEN: 't',
      DB_PASSWORD: 'p',
      HOME: '/root',
    });
    expect(env).toEqual({ PATH: '/bin', HOME: '/root' });
  });
});
