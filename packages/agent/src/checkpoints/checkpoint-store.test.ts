import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCheckpointStore } from './checkpoint-store.js';

let base: string;
let work: string;
let root: string;
const SESSION = 'agent:main:test:dm:1';

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'hermes-checkpoints-'));
  work = join(base, 'project');
  root = join(base, 'home', 'checkpoints');
  mkdirSync(work);
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const read = (p: string) => readFileSync(join(work, p), 'utf8');

describe('checkpoint store', () => {
  it('snapshots before a change and restores it: changed, deleted and created files', async () => {
    const store = createCheckpointStore({ root });
    writeFileSync(join(work, 'a.txt'), 'one');
    writeFileSync(join(work, 'b.txt'), 'keep me');
    const first = await store.snapshot({
      dir: work,
      command: 'sed -i s/one/two/ a.txt',
      sessionKey: SESSION,
    });
    expect(first).toMatchObject({ ok: true, created: true });
    writeFileSync(join(work, 'a.txt'), 'two');
    rmSync(join(work, 'b.txt'));
    writeFileSync(join(work, 'c.txt'), 'new');
    if (!first.ok) throw new Error(first.message);

    const restored = await store.restore(first.checkpoint.id, { sessionKey: SESSION });
    expect(restored).toMatchObject({ ok: true, written: 2, removed: 1 });
    expect(read('a.txt')).toBe('one');
    expect(read('b.txt')).toBe('keep me');
    expect(existsSync(join(work, 'c.txt'))).toBe(false);
    // The user's folder never gets a repository of ours.
    expect(existsSync(join(work, '.git'))).toBe(false);

    // The state before the restore was kept: restoring it undoes the rollback.
    if (!restored.ok || !restored.undo) throw new Error('no undo checkpoint');
    expect((await store.restore(restored.undo.id, { sessionKey: SESSION })).ok).toBe(true);
    expect(read('a.txt')).toBe('two');
    expect(read('c.txt')).toBe('new');
    expect(existsSync(join(work, 'b.txt'))).toBe(false);
  });

  it('an unchanged folder is not stored twice; the list is newest first and per session', async () => {
    const store = createCheckpointStore({ root });
    writeFileSync(join(work, 'a.txt'), '1');
    await store.snapshot({ dir: work, command: 'first', sessionKey: SESSION });
    const again = await store.snapshot({ dir: work, command: 'second', sessionKey: SESSION });
    expect(again).toMatchObject({ ok: true, created: false });
    // Another session's list is its own: the same folder state is a checkpoint there too.
    expect(await store.snapshot({ dir: work, command: 'theirs', sessionKey: 'other-session' })).toMatchObject(
      {
        ok: true,
        created: true,
      },
    );
    writeFileSync(join(work, 'a.txt'), '2');
    await store.snapshot({ dir: work, command: 'third', sessionKey: 'other-session' });
    const mine = await store.list({ sessionKey: SESSION });
    const all = await store.list();
    expect(mine.ok && mine.checkpoints.map((c) => c.command)).toEqual(['first']);
    expect(all.ok && all.checkpoints.map((c) => c.command)).toEqual(['third', 'theirs', 'first']);
    expect(all.ok && all.checkpoints[0]?.dir).toBe(work);
  });

  it('honours .gitignore, leaves out files over the size limit, keeps at most N per folder', async () => {
    const store = createCheckpointStore({ root, maxFileBytes: 100, maxCheckpoints: 2 });
    writeFileSync(join(work, '.gitignore'), 'secret.log\n');
    writeFileSync(join(work, 'secret.log'), 'ignored');
    writeFileSync(join(work, 'big.bin'), 'x'.repeat(500));
    writeFileSync(join(work, 'small.txt'), 'v0');
    const first = await store.snapshot({ dir: work, command: 'c0', sessionKey: SESSION });
    expect(first.ok && first.skippedLarge).toEqual(['big.bin']);
    const key = first.ok ? first.checkpoint.id.split(':')[0] : '';
    const tree = execFileSync(
      'git',
      [
        '--git-dir',
        join(root, key ?? ''),
        'ls-tree',
        '-r',
        '--name-only',
        `${first.ok ? first.checkpoint.id.split(':')[1] : ''}`,
      ],
      { encoding: 'utf8' },
    );
    expect(tree.split('\n').filter(Boolean).sort()).toEqual(['.gitignore', 'small.txt']);
    for (const v of ['v1', 'v2', 'v3']) {
      writeFileSync(join(work, 'small.txt'), v);
      await store.snapshot({ dir: work, command: `c-${v}`, sessionKey: SESSION });
    }
    const listed = await store.list();
    expect(listed.ok && listed.checkpoints.map((c) => c.command)).toEqual(['c-v3', 'c-v2']);
  });

  it('refuses the root or home folder and a folder with too many files, with the reason', async () => {
    const store = createCheckpointStore({ root, maxFiles: 3 });
    expect(await store.snapshot({ dir: '/', command: 'x', sessionKey: SESSION })).toMatchObject({
      ok: false,
      code: 'dir_refused',
    });
    for (const n of [1, 2, 3, 4]) writeFileSync(join(work, `f${n}`), String(n));
    const r = await store.snapshot({ dir: work, command: 'x', sessionKey: SESSION });
    expect(r).toMatchObject({ ok: false, code: 'too_many_files' });
    expect(!r.ok && r.fix).toMatch(/gitignore/);
  });

  it('says git is missing, and how to fix it, when the binary is not there', async () => {
    const store = createCheckpointStore({ root, git: join(base, 'no-such-git') });
    writeFileSync(join(work, 'a.txt'), '1');
    const r = await store.snapshot({ dir: work, command: 'x', sessionKey: SESSION });
    expect(r).toMatchObject({ ok: false, code: 'git_missing' });
    expect(await store.gitProblem()).toMatchObject({ code: 'git_missing' });
    expect(await createCheckpointStore({ root }).gitProblem()).toBeUndefined();
    expect(!r.ok && r.fix).toMatch(/install git/);
  });

  it('an unknown id is not_found and changes nothing', async () => {
    const store = createCheckpointStore({ root });
    writeFileSync(join(work, 'a.txt'), '1');
    expect(await store.restore('0123456789abcdef:'.padEnd(57, '0'), { sessionKey: SESSION })).toMatchObject({
      ok: false,
      code: 'not_found',
    });
    expect(read('a.txt')).toBe('1');
  });
});
