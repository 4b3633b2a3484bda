import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InboundMessage } from '@hermes/adapter-core';
import { createCheckpointStore } from '@hermes/agent';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandContext } from './context.js';
import type { CommandOutcome } from './registry.js';
import { createRollbackCommand, shortTime } from './rollback-command.js';

let base: string;
let work: string;
const SESSION = 'agent:main:telegram:dm:1';

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'hermes-rollback-cmd-'));
  work = join(base, 'project');
  mkdirSync(work);
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

/** The command reads only the session key from its context. */
const ctxFor = (sessionKey: string) =>
  ({ sessionKey, msg: { chat: { platform: 'telegram' } } as InboundMessage }) as unknown as CommandContext;

const text = (o: CommandOutcome) => (o.kind === 'reply' ? o.text : '');

describe('/rollback', () => {
  it('says how to turn checkpoints on when they are off', async () => {
    const cmd = createRollbackCommand({ store: undefined, workDir: work });
    expect(text(await cmd.handle(ctxFor(SESSION), ''))).toMatch(/checkpoints\.enabled: true/);
  });

  it('lists this session’s checkpoints newest first and restores one by number', async () => {
    const store = createCheckpointStore({ root: join(base, 'checkpoints') });
    const cmd = createRollbackCommand({ store, workDir: work });
    expect(text(await cmd.handle(ctxFor(SESSION), 'list'))).toMatch(/No checkpoints in this session yet/);
    writeFileSync(join(work, 'a.txt'), 'v1');
    await store.snapshot({ dir: work, command: 'echo v2 > a.txt', sessionKey: SESSION });
    writeFileSync(join(work, 'a.txt'), 'v2');
    await store.snapshot({ dir: work, command: 'echo v3 > a.txt', sessionKey: SESSION });
    writeFileSync(join(work, 'a.txt'), 'v3');
    await store.snapshot({ dir: work, command: 'rm a.txt', sessionKey: 'someone-else' });

    const listed = text(await cmd.handle(ctxFor(SESSION), ''));
    const lines = listed.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^1\. \d\d:\d\d, before `echo v3 > a.txt`$/);
    expect(lines[1]).toMatch(/before `echo v2 > a.txt`/);
    expect(listed).toMatch(/Files over 10 MB and \.gitignored files are not kept; at most 50 checkpoints/);

    const restored = text(await cmd.handle(ctxFor(SESSION), '2'));
    expect(restored).toMatch(
      /^✅ Restored to checkpoint 2 \(.*before `echo v2 > a.txt`\): 1 file\(s\) written back/,
    );
    expect(readFileSync(join(work, 'a.txt'), 'utf8')).toBe('v1');
    expect(restored).toMatch(/\/rollback 1 undoes this/);
    await cmd.handle(ctxFor(SESSION), '1');
    expect(readFileSync(join(work, 'a.txt'), 'utf8')).toBe('v3');
  });

  it('a number out of range or a bad option is explained, nothing restored', async () => {
    const store = createCheckpointStore({ root: join(base, 'checkpoints') });
    const cmd = createRollbackCommand({ store, workDir: work });
    writeFileSync(join(work, 'a.txt'), 'v1');
    await store.snapshot({ dir: work, command: 'touch b', sessionKey: SESSION });
    writeFileSync(join(work, 'a.txt'), 'changed');
    expect(text(await cmd.handle(ctxFor(SESSION), '5'))).toMatch(
      /There is no checkpoint 5: this session has 1/,
    );
    expect(text(await cmd.handle(ctxFor(SESSION), 'oops'))).toMatch(/Unknown option "oops"/);
    expect(readFileSync(join(work, 'a.txt'), 'utf8')).toBe('changed');
  });

  it('names the missing git binary and the fix', async () => {
    const store = createCheckpointStore({ root: join(base, 'checkpoints'), git: join(base, 'no-git') });
    const cmd = createRollbackCommand({ store, workDir: work });
    expect(text(await cmd.handle(ctxFor(SESSION), ''))).toMatch(/git is not installed.*Fix: install git/);
  });

  it('shortTime: the time today, the date before', () => {
    const now = new Date(2026, 11, 6, 15, 0);
    expect(shortTime(new Date(2026, 11, 6, 9, 5).getTime(), now)).toBe('09:05');
    expect(shortTime(new Date(2026, 11, 5, 23, 59).getTime(), now)).toBe('2026-12-05 23:59');
  });
});
